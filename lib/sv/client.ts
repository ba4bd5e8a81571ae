// sv's work on service directories: resolve names, read supervise/status, send letters to
// supervise/control, the wait loop (420 ms rounds until -w/SVWAIT) and ./check scripts.
// Output goes only through the Sink that lib/cli/sv.ts hands in, in runit's words and order.

import { realpathSync, statSync, accessSync, constants } from 'node:fs'
import { servicePaths, type SvPaths } from '../svdir/layout.js'
import { readStatusStamped, statusStamp } from '../svdir/status-file.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { isReady } from '../svdir/ready-file.js'
import { readReason } from '../svdir/reason-file.js'
import { readWait } from '../svdir/wait-file.js'
import { readDeaths } from '../svdir/deaths-file.js'
import type { sendControl as SendControl } from '../svdir/control-fifo.js'
import type { ourRunsv as OurRunsv } from './ps.js'
import { taiNow, compareTai, type Tai } from '../protocol/tai64.js'
import type { SvStatus } from '../protocol/status.js'
import { errnoCode, errnoError } from '../errors/errors.js'
import { execError, invocation } from '../os/program-file.js'
import { statIfExists, exists } from '../os/probe.js'
import { withStartState } from '../os/inherit.js'
import { publishes, wantAfter, type Command } from './commands.js'
import { statusLine, deathLine, messageLine, fileWarning, PREFIX } from './report.js'

/** Pause between two rounds of the wait loop (runit's 420 ms). */
export const TICK_MS = 420
/** A ./check still running this long after the wait time is over is killed and counts as not ready. */
export const CHECK_GRACE_MS = 1000

export interface Sink {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

export interface SvRequest {
  command: Command
  /** service names as given (printed as given) */
  names: readonly string[]
  /** $SVDIR: base of bare names */
  svdir: string
  /** base of names starting with "." or ending in "/" */
  cwd: string
  /** environment of ./check scripts */
  env: NodeJS.ProcessEnv
  /** -v: wait for control commands too */
  verbose: boolean
  /** -w / $SVWAIT, seconds */
  waitSec: number
  /** invoked under another name: LSB init-script semantics */
  lsb: boolean
  sink: Sink
  /** sv's start (ms since the epoch); ages and the "started after sv" tests use it */
  startMs?: number
}

export interface SvOutcome {
  /** fail:, warning: and timeout: lines counted the way runit counts them */
  errors: number
  /** LSB "status": 0 running, 3 down, 4 status unknown; undefined otherwise */
  lsbStatus?: number
}

/** Where a name points: bare names under svdir; "/…", "./…", "../…", "…/" from cwd (sv(8)). */
export function serviceDir (name: string, svdir: string, cwd: string): string {
  if (name === '') return ''
  const bare = !name.startsWith('/') && !name.startsWith('.') && !name.endsWith('/')
  if (!bare) return name.startsWith('/') ? name : `${cwd}/${name}`
  if (svdir === '') return ''
  // Joined as text, not path.join: "..", like chdir, must cross symlinks physically.
  return `${svdir.startsWith('/') ? svdir : `${cwd}/${svdir}`}/${name}`
}

/** chdir's verdict on a directory without changing ours: the physical path, or the errno error. */
function enterDir (dir: string): string {
  // chdir("") fails with ENOENT (an empty SVDIR, or an empty name).
  if (dir === '') throw errnoError('ENOENT', 'empty path')
  const real = realpathSync.native(dir)
  if (!statSync(real).isDirectory()) throw errnoError('ENOTDIR', 'not a directory')
  accessSync(real, constants.X_OK)
  return real
}

/** chdir into `name` the way sv resolves it; throws the errno error. */
export function resolveService (name: string, svdir: string, cwd: string): SvPaths {
  return servicePaths(enterDir(serviceDir(name, svdir, cwd)))
}

interface Svc {
  name: string
  paths: SvPaths
  /** letters were written to supervise/control */
  sent: boolean
  /** identity of supervise/status just before the write */
  stampBefore: string | null
  /** a record published after the write has been seen */
  fresh: boolean
}

type Got =
  | { kind: 'ok', status: SvStatus, stamp: string }
  | { kind: 'not-running' }
  | { kind: 'error' }

/** One sv invocation's pass over its services; mirrors runit's output order and error count. */
class Session {
  private buf = ''
  private errors = 0
  private nowMs: number
  private readonly tstart: Tai
  /** loaded only when letters may be sent, so "sv status" does not load the FIFO client */
  private sendControl: typeof SendControl | null = null
  /** loaded for sv signal and -a only: tells runit-ts's runsv from runit's (sv/ps.ts) */
  private ourRunsv: typeof OurRunsv | null = null

  constructor (private readonly req: SvRequest, private readonly startMs: number) {
    this.nowMs = startMs
    this.tstart = taiNow(startMs)
  }

  // ---- output, buffered and flushed where runit flushes ----

  private put (text: string): void { this.buf += text }

  private flush (): void {
    if (this.buf === '') return
    const text = this.buf
    this.buf = ''
    this.req.sink.stdout(text)
  }

  /** runit's out(): appends one message line and flushes. */
  private out (prefix: string, name: string, text: string, err?: unknown): void {
    this.put(messageLine(prefix, name, text, err))
    this.flush()
  }

  private fail (name: string, text: string, err?: unknown): void {
    this.errors++
    this.out(PREFIX.fail, name, text, err)
  }

  private warn (name: string, text: string, err?: unknown): void {
    this.errors++
    this.out(PREFIX.warning, name, text, err)
  }

  // ---- reading and writing a service's supervise/ ----

  /**
   * runit's svstatus_get: is runsv there, then the 20-byte record. `exitOk` turns
   * "runsv not running" into an ok: line (the exit command's goal).
   */
  private getStatus (name: string, paths: SvPaths, exitOk: boolean): Got {
    try {
      if (!isSupervised(paths)) {
        if (exitOk) this.out(PREFIX.ok, name, 'runsv not running')
        else this.fail(name, 'runsv not running')
        return { kind: 'not-running' }
      }
    } catch (err) {
      this.warn(name, 'unable to open supervise/ok', err)
      return { kind: 'error' }
    }
    let r
    try {
      r = readStatusStamped(paths)
    } catch (err) {
      const step = (err as { syscall?: string }).syscall === 'open' ? 'open' : 'read'
      this.warn(name, `unable to ${step} supervise/status`, err)
      return { kind: 'error' }
    }
    if (r.status === 'bad-format') {
      this.warn(name, 'unable to read supervise/status: bad format')
      return { kind: 'error' }
    }
    return { kind: 'ok', status: r.status, stamp: r.stamp }
  }

  /**
   * runit's svstatus_print into the buffer: 1 when a process runs, 2 when none, 0 when the down
   * file could not be stat'ed (then nothing is printed but a warning on stderr).
   */
  private printStatus (label: string, svcName: string, s: SvStatus, paths: SvPaths): 0 | 1 | 2 {
    let normallyUp: boolean
    try {
      statSync(paths.down)
      normallyUp = false
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') {
        this.req.sink.stderr(fileWarning('unable to stat', svcName, 'down', err))
        return 0
      }
      normallyUp = true
    }
    this.put(statusLine(label, s, normallyUp, Math.floor(this.nowMs / 1000)))
    // Not runit's: why runsv's restart policy keeps it down, in a state runit's runsv never
    // leaves a service in on its own (supervise/reason names this very record).
    if (s.pid === 0 && s.state === 'down' && s.want === 'down') {
      const why = readReason(paths, s.when)
      if (why !== null) this.put(`, ${why}`)
    }
    return s.pid !== 0 ? 1 : 2
  }

  /** runit's control(): -1 gave up (reported), 0 nothing to send, 1 sent. */
  private control (svc: Svc, letters: string, exitOk: boolean): -1 | 0 | 1 {
    const got = this.getStatus(svc.name, svc.paths, exitOk)
    if (got.kind !== 'ok') return -1
    const signal = this.req.command.signal
    if (signal !== undefined && this.ourRunsv?.(svc.paths) === null) {
      return this.signalDirectly(svc, got.status.pid, signal)
    }
    const first = letters.charAt(0)
    const wantByte = got.status.want === 'up' ? 'u' : 'd'
    // Already wanted: nothing to send, except d after once (want down, no TERM sent yet), and u
    // to a service in a restart-backoff pause (not runit's), which the u ends (runsv(8)).
    if (wantByte === first && (first !== 'd' || got.status.gotTerm) && !(first === 'u' && inBackoffPause(got.status, svc.paths))) return 0
    const stamp = statusStamp(svc.paths)
    let r
    try {
      r = this.sendControl!(svc.paths, letters)
    } catch (err) {
      const step = (err as { syscall?: string }).syscall === 'open' ? 'unable to open supervise/control' : 'unable to write to supervise/control'
      this.warn(svc.name, step, err)
      return -1
    }
    if (r === 'not-running') {
      if (first === 'x') this.out(PREFIX.ok, svc.name, 'runsv not running')
      else this.fail(svc.name, 'runsv not running')
      return -1
    }
    svc.sent = true
    svc.stampBefore = stamp
    svc.fresh = false
    return 1
  }

  /** sv signal to runit's runsv, which knows no signal request: sv signals the main process
   * itself (permission allowing); -a cannot be done, as runit's runsv knows no group. */
  private signalDirectly (svc: Svc, pid: number, signal: { signo: number, all: boolean }): -1 | 0 {
    if (signal.all) {
      this.fail(svc.name, "runsv cannot signal every process of a service (not runit-ts's runsv)")
      return -1
    }
    if (pid === 0) return 0
    try {
      process.kill(pid, signal.signo)
    } catch (err) {
      this.warn(svc.name, 'unable to signal the main process', err)
      return -1
    }
    return 0
  }

  // ---- the commands ----

  /** The status command for one service; returns the LSB exit code when lsb mode decides. */
  private status (svc: Svc): number | undefined {
    const got = this.getStatus(svc.name, svc.paths, false)
    if (got.kind === 'error') return this.req.lsb ? 4 : undefined
    if (got.kind === 'not-running') return undefined
    const main = this.printStatus(svc.name, svc.name, got.status, svc.paths)
    // Not runit's: what ./dependencies still waits for, after runit's whole line.
    const s = got.status
    const waits = s.pid === 0 && s.state === 'down' && s.want === 'up' ? readWait(svc.paths, s.when) : null
    const end = waits === null ? '\n' : `; ${waits}\n`
    const logName = `${svc.name}/log`
    let logPaths: SvPaths | null = null
    try {
      logPaths = servicePaths(enterDir(svc.paths.log))
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') this.put(end)
      else {
        this.put('; ')
        this.warn(logName, 'unable to change directory', err)
      }
    }
    if (logPaths !== null) {
      this.put('; ')
      const log = this.getStatus(logName, logPaths, false)
      // runit prints the record it holds even when reading the log's failed: then it is the
      // main service's, labelled log (runit's sv.c). Kept, since scripts see the same bytes.
      if (log.kind !== 'not-running') {
        this.printStatus('log', svc.name, log.kind === 'ok' ? log.status : got.status, logPaths)
        this.put(end)
      }
    }
    this.flush()
    // LSB: from the main service (runit 2.3.0; 2.1.2 used the log's).
    if (this.req.lsb) return main === 1 ? 0 : main === 2 ? 3 : 4
    return undefined
  }

  /** sv runs: supervise/deaths, newest first, one line per death. */
  private runs (svc: Svc): void {
    let deaths
    try {
      deaths = readDeaths(svc.paths)
    } catch (err) {
      this.warn(svc.name, 'unable to read supervise/deaths', err)
      return
    }
    for (const d of deaths.reverse()) this.put(deathLine(svc.name, d, this.nowMs) + '\n')
    this.flush()
  }

  /** Runs ./check once: true when absent, exited 0, or could not be exec'd (runit's rule). */
  private runCheck (svc: Svc): boolean {
    try {
      if (statIfExists(svc.paths.check) === undefined) return true // most services have none
    } catch (err) {
      this.req.sink.stderr(fileWarning('unable to stat', svc.name, 'check', err))
      return false
    }
    const deadline = this.startMs + this.req.waitSec * 1000
    const limit = Math.min(Math.max(0, deadline - Date.now()) + CHECK_GRACE_MS, 0x7fffffff)
    this.flush()
    const r = spawnCheck(svc.paths, this.req.env, limit)
    if (r.kind === 'exited') return r.code === 0
    if (r.kind === 'killed') return false
    if (r.kind === 'no-fork') {
      this.req.sink.stderr(fileWarning('unable to fork for', svc.name, 'check', r.err))
      return false
    }
    // runit's child prints this and exits 0, so the service counts as ready.
    this.req.sink.stderr(fileWarning('unable to run', svc.name, 'check', r.err))
    return true
  }

  /** runit's check(): 1 satisfied (ok: printed), 0 not yet, -1 given up (reported). */
  private check (svc: Svc): -1 | 0 | 1 {
    const cmd = this.req.command
    const got = this.getStatus(svc.name, svc.paths, cmd.letters.charAt(0) === 'x')
    if (got.kind === 'error') return -1
    if (got.kind === 'not-running') return cmd.expect[0] === 'x' ? 1 : -1
    const s = got.status
    // Judge only a record runsv published after taking the letters (sv(8), Judging only news): the file's
    // identity changed since just before the write, and it shows the want the letters set.
    if (svc.sent && !svc.fresh && publishes(cmd.letters)) {
      if (got.stamp === svc.stampBefore) return 0
      svc.fresh = true
    }
    const want = wantAfter(cmd.letters)
    if (want !== null && s.want !== want) return 0
    let checked: boolean | undefined
    // Up means ready too: with a notification-fd, the run must have said so (s6's readiness).
    const checkOk = (): boolean => (checked ??= isReady(svc.paths, s.pid) && this.runCheck(svc))
    const started = compareTai(s.when, this.tstart) >= 0
    const pid = s.pid !== 0
    for (const e of cmd.expect) {
      // check follows the wanted state (runit 2.3.0; 2.1.2 passed any momentarily down service).
      const c = e === 'C' ? (s.want === 'down' ? 'd' : 'u') : e
      switch (c) {
        case 'x':
          return 0
        case 'u':
          if (!pid || s.state !== 'run' || !checkOk()) return 0
          break
        case 'd':
          if (pid || s.state !== 'down') return 0
          break
        case 't':
        case 'k':
          if (!pid && s.want === 'down') break
          if (!started || !pid || s.gotTerm || !checkOk()) return 0
          break
        case 'o':
          if ((!pid && !started) || (pid && s.want !== 'down')) return 0
          break
        case 'p':
          if (pid && !s.paused) return 0
          break
        case 'c':
          if (pid && s.paused) return 0
          break
        default:
          break
      }
    }
    this.put(PREFIX.ok)
    this.printStatus(svc.name, svc.name, s, svc.paths)
    this.put('\n')
    this.flush()
    return 1
  }

  private timeout (svc: Svc): void {
    const cmd = this.req.command
    this.put(cmd.killOnTimeout ? PREFIX.kill : PREFIX.timeout)
    const got = this.getStatus(svc.name, svc.paths, cmd.letters.charAt(0) === 'x')
    if (got.kind === 'ok') {
      this.printStatus(svc.name, svc.name, got.status, svc.paths)
      this.errors++
    }
    this.put('\n')
    this.flush()
    if (cmd.killOnTimeout) this.control(svc, 'k', cmd.letters.charAt(0) === 'x')
  }

  private resolve (name: string): SvPaths | null {
    try {
      return resolveService(name, this.req.svdir, this.req.cwd)
    } catch (err) {
      this.fail(name, 'unable to change to service directory', err)
      return null
    }
  }

  async run (): Promise<SvOutcome> {
    const cmd = this.req.command
    if (cmd.action === 'control' || cmd.killOnTimeout) {
      this.sendControl = (await import('../svdir/control-fifo.js')).sendControl
    }
    if (cmd.signal !== undefined) this.ourRunsv = (await import('./ps.js')).ourRunsv
    const live: Svc[] = []
    for (const name of this.req.names) {
      const paths = this.resolve(name)
      if (paths === null) continue
      const svc: Svc = { name, paths, sent: false, stampBefore: null, fresh: false }
      if (cmd.action === 'runs') {
        this.runs(svc)
        continue
      }
      if (cmd.action === 'status') {
        const lsbStatus = this.status(svc)
        if (lsbStatus !== undefined) return { errors: this.errors, lsbStatus }
        continue
      }
      if (cmd.action === 'control' && this.control(svc, cmd.letters, cmd.letters.charAt(0) === 'x') === -1) continue
      live.push(svc)
    }
    if (cmd.action === 'status' || cmd.action === 'runs' || !(cmd.wait || this.req.verbose)) return { errors: this.errors }

    let pending = live
    for (;;) {
      const elapsed = (this.nowMs - this.startMs) / 1000
      const next: Svc[] = []
      for (const svc of pending) {
        // Every round resolves the name again, by the same rule as the send pass (runit applied
        // only the first-character rule here, so "sv -v up foo/" failed: sv(8), DIFFERENCES FROM RUNIT).
        const paths = this.resolve(svc.name)
        if (paths === null) continue
        svc.paths = paths
        if (this.check(svc) !== 0) continue
        if (elapsed > this.req.waitSec) this.timeout(svc)
        else next.push(svc)
      }
      pending = next
      if (pending.length === 0) break
      await new Promise(resolve => setTimeout(resolve, TICK_MS))
      this.nowMs = Date.now()
    }
    return { errors: this.errors }
  }
}

/** Down with want up and a restart-backoff file: perhaps in a pause that only a u ends. Without
 * the file, sv sends nothing to a service already wanted up, as runit's. */
function inBackoffPause (s: SvStatus, paths: SvPaths): boolean {
  return s.pid === 0 && s.state === 'down' && s.want === 'up' && exists(paths.restartBackoff)
}

/** Runs one sv invocation: the send (or status) pass, then, when asked, the wait loop. */
export async function runSv (req: SvRequest): Promise<SvOutcome> {
  return await new Session(req, req.startMs ?? Date.now()).run()
}

type CheckRun =
  | { kind: 'exited', code: number | null }
  | { kind: 'killed' }
  | { kind: 'no-fork', err: unknown }
  | { kind: 'no-exec', err: unknown }

/** Errors that mean the process could not be created at all (runit's "unable to fork"). */
const FORK_ERRORS = new Set(['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE'])

/**
 * ./check as runit runs it, execve("check", ["./check"]) in the service directory (a script's $0
 * is "check"), with the limit and ignored signals sv was started with; stdin and stderr
 * inherited, stdout discarded (runit closes it), waited for synchronously like runit, but killed
 * after `limitMs`. node:child_process is fetched only here, so "sv status" never loads it.
 */
function spawnCheck (paths: SvPaths, env: NodeJS.ProcessEnv, limitMs: number): CheckRun {
  const { spawnSync } = process.getBuiltinModule('node:child_process')
  const exact = invocation('check', ['./check'], paths.dir)
  const cmd = withStartState(exact)
  if (cmd !== exact) {
    // prlimit or env would report a check that cannot run in its own words: find it out first.
    const code = execError(paths.check)
    if (code !== undefined) return { kind: 'no-exec', err: errnoError(code) }
  }
  const r = spawnSync(cmd.file, cmd.args, {
    argv0: cmd.argv0,
    cwd: paths.dir,
    env,
    stdio: ['inherit', 'ignore', 'inherit'],
    timeout: limitMs,
    killSignal: 'SIGKILL'
  })
  if (r.error !== undefined) {
    const code = errnoCode(r.error)
    if (code === 'ETIMEDOUT') return { kind: 'killed' }
    if (code !== undefined && FORK_ERRORS.has(code)) return { kind: 'no-fork', err: r.error }
    return { kind: 'no-exec', err: r.error }
  }
  if (r.signal !== null) return { kind: 'killed' }
  return { kind: 'exited', code: r.status }
}
