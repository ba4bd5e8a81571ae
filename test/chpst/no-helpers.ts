// chpst where util-linux's and perl's helpers are missing (a busybox-like image): in a private
// mount namespace each helper is hidden under /dev/null. Exec'ing through the FFI, -P, the limits
// and argv[0] need no setsid(1), prlimit(1) or perl(1); the relay still does, and says so; the
// lock and -0/-1/-2 still need perl (it opens the lock at the lowest free descriptor, as runit).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { CHPST, ffiExecve, isRoot } from '../helpers/chpst.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { shq } from '../helpers/svdir.js'
import { join } from 'node:path'

const HIDDEN = ['prlimit', 'setpriv', 'setsid', 'perl', 'flock', 'mkfifo', 'chroot']

const skip = !isRoot
  ? 'needs root for a mount namespace'
  : spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status !== 0
    ? 'unshare --mount does not work here'
    : !ffiExecve ? 'koffi does not load here' : false

/** Runs `script` in a mount namespace where HIDDEN cannot be executed. */
type Result = { code: number | null, stdout: string, stderr: string }

function withoutHelpers (script: string, env: NodeJS.ProcessEnv = {}): Result {
  const hide = HIDDEN.map(n => `p=$(command -v ${n}) && mount --bind /dev/null "$(readlink -f "$p")"`).join('; ')
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${hide}; ${script}`],
    { env: cleanEnv(env), encoding: 'utf8', timeout: 30000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const nofile = (text: string): string | undefined => /^Max open files\s+(\S+)/m.exec(text)?.[1]

t.test('chpst without helper programs', { skip }, async t => {
  t.test('the helpers are hidden', async t => {
    const r = withoutHelpers('prlimit --version')
    t.not(r.code, 0)
  })

  t.test('-o: the limit set through the FFI, in chpst\'s pid', async t => {
    const r = withoutHelpers(`echo $$; exec ${shq(CHPST)} -o 77 sh -c 'echo $$; cat /proc/self/limits'`)
    t.equal(r.code, 0, r.stderr)
    const [shell, program] = r.stdout.split('\n')
    t.equal(program, shell, 'the program kept the pid')
    t.equal(nofile(r.stdout), '77')
  })

  t.test('the open-files soft limit chpst was started with is given back', async t => {
    const r = withoutHelpers(`ulimit -Sn 1024; exec ${shq(CHPST)} cat /proc/self/limits`)
    t.equal(r.code, 0, r.stderr)
    t.equal(nofile(r.stdout), '1024')
  })

  t.test('-m: several limits at once', async t => {
    const r = withoutHelpers(`exec ${shq(CHPST)} -m 200000000 cat /proc/self/limits`)
    t.equal(r.code, 0, r.stderr)
    t.match(r.stdout, /^Max data size\s+200000000\s/m)
    t.match(r.stdout, /^Max address space\s+200000000\s/m)
  })

  t.test('the relay (RUNIT_TS_EXECVE=relay) still needs prlimit(1), and says so', async t => {
    const r = withoutHelpers(`exec ${shq(CHPST)} -o 77 true`, { RUNIT_TS_EXECVE: 'relay' })
    t.equal(r.code, 111)
    t.match(r.stderr, /^chpst: fatal: unable to setrlimit\(\): prlimit is needed/m)
  })

  t.test('-P: a new session, in chpst\'s pid', async t => {
    const r = withoutHelpers(`echo $$; exec ${shq(CHPST)} -P sh -c 'echo $$; cut -d" " -f6 /proc/self/stat'`)
    t.equal(r.code, 0, r.stderr)
    const [shell, program, session] = r.stdout.split('\n')
    t.equal(program, shell)
    t.equal(session, program, 'session leader')
  })

  t.test('-b sets argv[0] through the exec itself', async t => {
    const r = withoutHelpers(`${shq(CHPST)} -b myname sh -c 'echo "$0"'`)
    t.equal(r.code, 0, r.stderr)
    t.match(r.stdout, /^myname$/m)
  })

  t.test('the lock and -0/-1/-2 still need perl(1), and say so', async t => {
    const r = withoutHelpers(`${shq(CHPST)} -l ${shq(join(t.testdir(), 'lk'))} true`)
    t.equal(r.code, 111)
    t.match(r.stderr, /^chpst: fatal: perl\(1\) is needed for -l, -L and setlock/m)
  })
})
