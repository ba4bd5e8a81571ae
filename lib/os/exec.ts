// Replacing this process with a program. Where Node has process.execve (22.15+, 23.11+) the
// program takes over this pid. Elsewhere the program runs as a child (the relay): every signal
// this process gets is passed on, and the child's end is mirrored (same exit code, or death by
// the same signal). Also: which inherited descriptors the program must get. What would make
// execve(2) fail is found out first (program-file.ts): once it fails, process.execve aborts the
// whole process (core dump included) instead of throwing.

import { spawn, spawnSync } from 'node:child_process'
import { constants, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { findTool } from './program-file.js'
import { inTerminalForeground } from './proc.js'
import { sendSignal } from './signals.js'
import { closeQuietly } from './probe.js'
import { execveNative, ffiAvailable } from './ffi.js'

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never

/** process.execve when this Node has it. */
function execveFn (): Execve | undefined {
  const fn = (process as unknown as { execve?: Execve }).execve
  return typeof fn === 'function' ? fn.bind(process) : undefined
}

export function hasExecve (): boolean {
  return execveFn() !== undefined
}

/** RUNIT_TS_EXECVE=relay: never exec(2) through the FFI (a system where koffi misbehaves). */
export const EXECVE_ENV = 'RUNIT_TS_EXECVE'

/** True when execve(2) can be called through the FFI (ffi.ts; loads koffi, ~5 ms) and is not
 * refused by RUNIT_TS_EXECVE=relay: on Node 20, and where inherited descriptors must survive. */
export function hasNativeExecve (env: NodeJS.ProcessEnv): boolean {
  return env[EXECVE_ENV] !== 'relay' && ffiAvailable()
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

/**
 * Replaces this process: process.execve when there is nothing above 2 to keep, else execve(2)
 * through the FFI, which keeps `keepFds` (check hasExecve or hasNativeExecve first).
 */
export function execve (spec: ExecSpec, keepFds: readonly number[] = []): never {
  const fn = execveFn()
  restoreDefaultSignals()
  if (fn !== undefined && keepFds.length === 0) return fn(spec.file, spec.argv, spec.env)
  return execveNative(spec.file, spec.argv, spec.env, keepFds)
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
  | { kind: 'error', error: unknown }

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
      resolve({ kind: 'error', error })
      return
    }
    child.once('error', (error) => {
      stop()
      resolve({ kind: 'error', error })
    })
    child.once('exit', (code, signal) => {
      stop()
      resolve(signal !== null ? { kind: 'signal', signal, pid } : { kind: 'exit', code: code ?? 0, pid })
    })
    if (child.pid !== undefined) {
      pid = child.pid
      for (const fd of spec.closeAfterSpawn) closeQuietly(fd)
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
