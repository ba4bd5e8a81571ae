// Replacing this process with a program. Where Node has process.execve (22.15+, 23.11+) the
// program takes over this pid. Elsewhere the program runs as a child (the relay): every signal
// this process gets is passed on, and the child's end is mirrored (same exit code, or death by
// the same signal). Also: which inherited descriptors the program must get, runit's PATH search,
// and the checks that keep Node's execve from failing: once execve(2) itself fails,
// process.execve aborts the whole process (core dump included) instead of throwing, so what
// would make it fail is found out first.

import { spawn, spawnSync } from 'node:child_process'
import { accessSync, closeSync, constants, openSync, readSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { inTerminalForeground } from './proc.js'
import { sendSignal } from './signals.js'

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never

/** process.execve when this Node has it. */
function execveFn (): Execve | undefined {
  const fn = (process as unknown as { execve?: Execve }).execve
  return typeof fn === 'function' ? fn.bind(process) : undefined
}

export function hasExecve (): boolean {
  return execveFn() !== undefined
}

/** Why execve(2) of `path` would fail (an errno code), or undefined when it would succeed. */
export function execError (path: string, root = '/', depth = 0): string | undefined {
  let st
  try {
    st = statSync(path)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'ENOENT'
  }
  if (!st.isFile()) return 'EACCES' // execve(2) says EACCES for directories and devices too
  try {
    accessSync(path, constants.X_OK)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EACCES'
  }
  const head = Buffer.alloc(256) // the kernel's BINPRM_BUF_SIZE
  let n = 0
  try {
    const fd = openSync(path, 'r')
    try { n = readSync(fd, head, 0, head.length, 0) } finally { closeSync(fd) }
  } catch {
    return undefined // executable but unreadable (mode 0711): the kernel still runs ELF files
  }
  if (n >= 4 && head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return undefined
  if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    // "#!interpreter [arg]": the kernel execs the interpreter; a missing one is ENOENT.
    const line = head.subarray(2, n).toString('latin1').split('\n')[0] ?? ''
    const interp = line.trim().split(/[ \t]/)[0] ?? ''
    if (interp === '') return 'ENOEXEC'
    if (depth >= 4) return 'ELOOP'
    const hostInterp = isAbsolute(interp) ? join(root, interp) : interp
    return execError(hostInterp, root, depth + 1)
  }
  return binfmtMisc() ? undefined : 'ENOEXEC'
}

/** True when binfmt_misc has formats registered (then unknown headers may still run). */
function binfmtMisc (): boolean {
  try {
    if (readFileSync('/proc/sys/fs/binfmt_misc/status', 'utf8').trim() !== 'enabled') return false
    return readdirSync('/proc/sys/fs/binfmt_misc').some(n => n !== 'status' && n !== 'register')
  } catch {
    return false
  }
}

export type Found = { ok: true, path: string } | { ok: false, code: string }

/** Errors after which runit's pathexec keeps searching PATH. */
const KEEP_SEARCHING = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR'])

/**
 * runit's program search (pathexec_run): a name with '/' is used as is; otherwise each element
 * of `searchPath` (default "/bin:/usr/bin"; empty = ".") is tried in order. The search skips
 * entries failing with ENOENT, EACCES, EPERM or EISDIR and stops at any other error; the error
 * reported is the last one that was not ENOENT. `root` is where "/" is for the program (chpst -/);
 * the path returned is the one to exec there.
 */
export function findProgram (name: string, searchPath: string | undefined, root = '/'): Found {
  const host = (p: string): string => isAbsolute(p) ? join(root, p) : p
  if (name.includes('/')) {
    const code = execError(host(name), root)
    return code === undefined ? { ok: true, path: name } : { ok: false, code }
  }
  let last = 'ENOENT'
  for (const dir of (searchPath ?? '/bin:/usr/bin').split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${name}`
    const code = execError(host(candidate), root)
    if (code === undefined) return { ok: true, path: candidate }
    if (code !== 'ENOENT') last = code
    if (!KEEP_SEARCHING.has(code)) break
  }
  return { ok: false, code: last }
}

const TOOL_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/** A helper program (prlimit, setsid, chroot, flock, sh…) from our PATH, then the usual places. */
export function findTool (name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...searchPath.split(delimiter).filter(d => isAbsolute(d)), ...TOOL_DIRS]
  return dirs.map(d => join(d, name)).find(p => execError(p) === undefined)
}

export interface InheritedFd {
  fd: number
  /** marked close-on-exec (by Node, at start-up): process.execve would close it */
  closeOnExec: boolean
}

/**
 * The descriptors above 2 this process inherited, which the program must get at the same numbers
 * (runit's chpst passes them by exec'ing). The close-on-exec flag cannot tell them from Node's
 * own: Node marks every descriptor it inherits close-on-exec as it starts (libuv's
 * uv_disable_stdio_inheritance: 0 to 15, and on up to the first one not open). What does tell
 * them apart is that Node's own, made before any JavaScript runs, are epoll, eventfd and io_uring
 * instances and pipes with both ends in this process. Call it before opening anything else.
 */
export function inheritedFds (): InheritedFd[] {
  let fds: number[]
  try { fds = readdirSync('/proc/self/fd').map(Number).filter(fd => fd > 2) } catch { return [] } // no /proc
  const open = fds.flatMap(fd => {
    try {
      // readlink first: the directory's own descriptor is gone by now (ENOENT), and skipped
      const link = readlinkSync(`/proc/self/fd/${fd}`)
      const flags = Number.parseInt(/^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0', 8)
      return [{ fd, link, flags }]
    } catch {
      return []
    }
  })
  const ends = (link: string, mode: number): boolean => open.some(o => o.link === link && (o.flags & 3) === mode)
  const nodes = (o: typeof open[number]): boolean => /^anon_inode:\[(eventpoll|eventfd|io_uring)\]$/.test(o.link) ||
    (o.link.startsWith('pipe:') && ends(o.link, constants.O_RDONLY) && ends(o.link, constants.O_WRONLY))
  return open.filter(o => !nodes(o)).map(o => ({ fd: o.fd, closeOnExec: (o.flags & 0o2000000) !== 0 }))
}

export interface ExecSpec {
  /** path of the first program to run (checked with execError beforehand) */
  file: string
  /** its argv, argv[0] included */
  argv: string[]
  env: NodeJS.ProcessEnv
}

/** Node ignores SIGPIPE and SIGXFSZ, and exec keeps ignored signals ignored: restore SIG_DFL. */
function restoreDefaultSignals (): void {
  for (const sig of ['SIGPIPE', 'SIGXFSZ'] as const) {
    const nop = (): void => {}
    process.on(sig, nop)
    process.off(sig, nop) // libuv puts SIG_DFL back when its last listener goes
  }
}

/** Replaces this process (Node with process.execve only; check hasExecve first). */
export function execve (spec: ExecSpec): never {
  const fn = execveFn()
  if (fn === undefined) throw new Error('process.execve is not available')
  restoreDefaultSignals()
  return fn(spec.file, spec.argv, spec.env)
}

/** Signals passed on to the child. Not KILL/STOP (uncatchable), not the synchronous faults
 * (SEGV, BUS, FPE, ILL, TRAP, ABRT: a listener would hide Node's own crash), not CHLD, TTIN, TTOU. */
export const RELAYED_SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM',
  'SIGSTKFLT', 'SIGCONT', 'SIGTSTP', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF',
  'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'
] as const satisfies readonly NodeJS.Signals[]

/** Signals a terminal sends to its whole foreground process group (the child got it already). */
const TERMINAL_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGWINCH'])

export interface RelaySpec extends ExecSpec {
  /** run the child in a new session (chpst -P) */
  setsid: boolean
  /** descriptors (0-2) to close in this process once the child runs (chpst -0/-1/-2), so that
   * a reader sees EOF when the program, not the relay, closes its end */
  closeAfterSpawn: number[]
  /** descriptors above 2 (inheritedFds) the child gets at the same numbers; the relay keeps its
   * own copies too */
  passFds: number[]
}

/** spawn's stdio: 0-2 inherited, then each passed descriptor at its own number. */
function stdioFor (passFds: number[]): Array<'inherit' | 'ignore' | number> {
  const stdio: Array<'inherit' | 'ignore' | number> = ['inherit', 'inherit', 'inherit']
  for (const fd of [...passFds].sort((a, b) => a - b)) {
    while (stdio.length < fd) stdio.push('ignore')
    stdio[fd] = fd // libuv clears close-on-exec on it in the child
  }
  return stdio
}

export type Outcome =
  | { kind: 'exit', code: number, pid: number }
  | { kind: 'signal', signal: NodeJS.Signals, pid: number }
  | { kind: 'error', error: NodeJS.ErrnoException }

/** Runs spec as a child, relays signals to it until it ends, and says how it ended. */
export function relay (spec: RelaySpec): Promise<Outcome> {
  return new Promise(resolve => {
    let pid = 0
    const listeners = new Map<NodeJS.Signals, () => void>()
    const stop = (): void => { for (const [sig, fn] of listeners) process.off(sig, fn) }
    const pass = (sig: NodeJS.Signals): void => {
      if (pid === 0) return
      // A terminal signals the whole foreground group: when the child is in it, it has the
      // signal already and a second copy would count as a second ^C.
      const direct = TERMINAL_SIGNALS.has(sig) && !spec.setsid && inTerminalForeground()
      if (!direct) sendSignal(pid, sig)
      if (sig === 'SIGTSTP') process.kill(process.pid, 'SIGSTOP') // stop like the job it stands for
    }
    // Listen before spawning: a signal arriving meanwhile is handled once the child exists.
    for (const sig of RELAYED_SIGNALS) {
      const fn = (): void => { pass(sig) }
      listeners.set(sig, fn)
      process.on(sig, fn)
    }
    let child
    try {
      child = spawn(spec.file, spec.argv.slice(1), {
        argv0: spec.argv[0],
        env: spec.env,
        stdio: stdioFor(spec.passFds),
        detached: spec.setsid
      })
    } catch (error) {
      stop()
      resolve({ kind: 'error', error: error as NodeJS.ErrnoException })
      return
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      stop()
      resolve({ kind: 'error', error })
    })
    child.once('exit', (code, signal) => {
      stop()
      resolve(signal !== null ? { kind: 'signal', signal, pid } : { kind: 'exit', code: code ?? 0, pid })
    })
    if (child.pid !== undefined) {
      pid = child.pid
      for (const fd of spec.closeAfterSpawn) {
        try { closeSync(fd) } catch { /* already closed */ }
      }
    }
  })
}

/** Signals whose default action dumps core. */
const CORE_SIGNALS = new Set<NodeJS.Signals>(['SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGXCPU', 'SIGXFSZ', 'SIGSYS'])

/**
 * Ends this process by `signal`, so a waiting parent sees what the relayed child died of. The
 * disposition is reset to SIG_DFL first; for core-dumping signals the core limit is set to 0, so
 * that Node leaves no core file of its own. Returns only if the signal did not kill.
 */
export function dieBySignal (signal: NodeJS.Signals): void {
  if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') {
    const nop = (): void => {}
    process.on(signal, nop)
    process.off(signal, nop)
  }
  if (CORE_SIGNALS.has(signal)) {
    spawnSync(findTool('prlimit') ?? 'prlimit', ['--pid', String(process.pid), '--core=0:'], { stdio: 'ignore' })
  }
  process.kill(process.pid, signal)
}
