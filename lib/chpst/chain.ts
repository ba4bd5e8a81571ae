// chpst's exec chain (chpst(8), HOW THE PROGRAM IS RUN): small programs that each change their
// own state and exec the next, ending in the program, in one pid. PURE: tool paths and decisions
// in, argv and env out.

export interface Tools {
  setpriv?: string
  setsid?: string
  perl?: string
  prlimit?: string
  chroot?: string
}

export interface ChainInput {
  tools: Tools
  /** relay mode: have the program killed if chpst dies (setpriv --pdeathsig KILL) */
  pdeathsig: boolean
  /** execve mode: setsid(1) stage (relay mode uses a detached spawn instead) */
  setsid: boolean
  /** lock taken by the perl stage; `path` as that stage must open it */
  lock?: { path: string, wait: boolean }
  /** setlock -x: a failure to lock or to run the program exits 0 quietly */
  quiet: boolean
  /** descriptors to close (0, 1, 2) */
  close: number[]
  /** prlimit(1) options (empty: no stage) */
  prlimit: string[]
  /** env(1) --ignore-signal stage, whole (lib/os/inherit.ts; empty: no stage) */
  ignore: string[]
  /** chroot(8) into the current directory; ids when the user changes there */
  chroot?: { uid: number, gid: number, groups: number[] } | 'keep-user'
  /** the program as the last stage must exec it: a path, or a bare name its execvp finds in PATH */
  target: string
  argv0: string
  args: string[]
  /** the program's name as given, for "unable to run" */
  name: string
  /** the program's environment */
  env: NodeJS.ProcessEnv
  /** errno number → runit's reason text, for the perl stage's messages */
  reasons: ReadonlyMap<number, string>
}

export interface Chain {
  file: string
  argv: string[]
  /** the environment to start the chain with (the program gets `env` in the end) */
  env: NodeJS.ProcessEnv
}

/** Where perl would read switches from the program's environment; it is put back by perl. */
const SAVED_PERL5OPT = 'CHPST_SAVED_PERL5OPT'

/**
 * The perl stage. @ARGV: lock path ('' = none), wait (0/1), quiet (0/1), descriptors to close
 * ("02"), restore PERL5OPT (0/1), name for messages, file to exec, its argv (argv[0] first).
 * Locks with flock(2) on a descriptor it keeps open across exec (perl marks its own close-on-exec).
 */
export function perlScript (reasons: ReadonlyMap<number, string>): string {
  const table = [...reasons].map(([n, text]) => `${n},'${text.replaceAll("'", "\\'")}'`).join(',')
  return [
    'my ($lock, $wait, $quiet, $close, $restore, $name, $file, @argv) = @ARGV;',
    `my %why = (${table});`,
    'sub fail { exit 0 if $quiet; my $w = $why{$! + 0} // "unknown error"; print STDERR "chpst: fatal: $_[0]: $w\\n"; exit 111 }',
    `$ENV{PERL5OPT} = delete $ENV{${SAVED_PERL5OPT}} if $restore && exists $ENV{${SAVED_PERL5OPT}};`,
    'my $fh;',
    'if ($lock ne "") {',
    '  open($fh, ">>", $lock) or fail("unable to open lock: $lock");',
    '  fcntl($fh, 2, 0) or fail("unable to lock: $lock");', // F_SETFD: no close-on-exec
    '  flock($fh, $wait ? 2 : 6) or fail("unable to lock: $lock");', // LOCK_EX (| LOCK_NB)
    '}',
    'close(STDIN) if $close =~ /0/; close(STDOUT) if $close =~ /1/; close(STDERR) if $close =~ /2/;',
    'exec { $file } @argv or fail("unable to run: $name");'
  ].join('\n')
}

function need (tool: string | undefined, name: string): string {
  if (tool === undefined) throw new Error(`${name} tool path missing`)
  return tool
}

/**
 * The argv (and starting environment) that runs the whole chain: what Node cannot do to its own
 * process (setsid, a lock the program inherits, closing 0-2, setrlimit, chroot, a parent-death
 * signal, an arbitrary argv[0]), in this order:
 *
 *   [setpriv --pdeathsig KILL] [env --ignore-signal] [setsid] [perl: lock, close 0-2] [prlimit] [chroot]
 *   [perl: argv0] program
 *
 * The stages run in runit's order where it is observable: the lock before closing 0-2 and before
 * the limits (so -o and -p cannot starve it, and perl starts before -m could starve it). perl is
 * used, not sh, because it passes the environment on untouched (dash drops names that are not
 * shell identifiers and rewrites PWD, PPID, OPTIND, IFS) and blocks in flock(2) itself, so a
 * signal ends the wait as it ends runit's.
 */
export function buildChain (c: ChainInput): Chain {
  // Each stage is [file, ...options]; it execs what follows it (perl stages take it as operands).
  const stages: Array<{ words: string[], perl?: { lock?: ChainInput['lock'], close: string } }> = []
  if (c.pdeathsig) stages.push({ words: [need(c.tools.setpriv, 'setpriv'), '--pdeathsig', 'KILL', '--'] })
  if (c.ignore.length > 0) stages.push({ words: c.ignore })
  if (c.setsid) stages.push({ words: [need(c.tools.setsid, 'setsid'), '--'] })
  if (c.lock !== undefined || c.close.length > 0) stages.push({ words: [need(c.tools.perl, 'perl')], perl: { lock: c.lock, close: c.close.join('') } })
  if (c.prlimit.length > 0) stages.push({ words: [need(c.tools.prlimit, 'prlimit'), ...c.prlimit, '--'] })
  if (c.chroot !== undefined) {
    const ids = c.chroot === 'keep-user'
      ? []
      : [`--userspec=+${c.chroot.uid}:+${c.chroot.gid}`, `--groups=${c.chroot.groups.map(g => `+${g}`).join(',')}`]
    stages.push({ words: [need(c.tools.chroot, 'chroot'), ...ids, '--', '.'] })
  }
  if (stages.length > 0 && c.argv0 !== c.target) stages.push({ words: [need(c.tools.perl, 'perl')], perl: { close: '' } })
  if (stages.length === 0) return { file: c.target, argv: [c.argv0, ...c.args], env: c.env }

  const lastPerl = stages.map(s => s.perl !== undefined).lastIndexOf(true)
  const script = lastPerl < 0 ? '' : perlScript(c.reasons)
  // Built from the end: each stage's argv is its words followed by the rest of the chain.
  let rest = [c.target, ...c.args]
  let restArgv0 = c.argv0
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i]!
    if (s.perl === undefined) {
      rest = [...s.words, ...rest]
    } else {
      const [file, ...args] = rest
      rest = [s.words[0]!, '-e', script, '--', s.perl.lock?.path ?? '', s.perl.lock?.wait === true ? '1' : '0',
        c.quiet ? '1' : '0', s.perl.close, i === lastPerl ? '1' : '0', c.name, file!, restArgv0, ...args]
    }
    restArgv0 = rest[0]!
  }
  let env = c.env
  if (lastPerl >= 0 && env.PERL5OPT !== undefined) {
    const { PERL5OPT, ...others } = env
    env = { ...others, [SAVED_PERL5OPT]: PERL5OPT }
  }
  return { file: rest[0]!, argv: rest, env }
}
