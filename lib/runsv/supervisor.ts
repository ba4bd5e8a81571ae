// One supervised service directory as a library object: sets up supervise/, takes the lock,
// reads control letters, spawns ./run, ./finish and log/run, and publishes every transition.
// No process-wide state (no chdir, no process.on): many supervisors can share one Node process.
// Events are queued and handled one at a time; step() decides, this file performs.

import { statSync, mkdirSync, readlinkSync, closeSync, openSync, existsSync, realpathSync, constants } from 'node:fs'
import { resolve, join } from 'node:path'
import { taiNow } from '../protocol/tai64.js'
import { encodeStatus } from '../protocol/status.js'
import { formatStat } from '../protocol/stat.js'
import { SysError, errnoCode } from '../errors/errors.js'
import type { Say } from '../errors/say.js'
import { servicePaths, type SvPaths } from '../svdir/layout.js'
import { publishRecord, pidFileText } from '../svdir/status-file.js'
import { openControl, type ControlReader } from '../svdir/control-fifo.js'
import { holdOk } from '../svdir/ok-fifo.js'
import { isFifo } from '../os/fifo.js'
import { openLockFile, lockThenMakeFifos } from '../os/lock.js'
import { makePipe, type Pipe } from '../os/pipe.js'
import { spawnProgram } from '../os/spawn.js'
import { signalNumber, sendSignal, killWithGroup } from '../os/signals.js'
import { runHook, hookPresent, type HookContext } from './control-hooks.js'
import { readStopPolicy, readFinishTimeout } from './stop-policy.js'
import { findLeftover, stopLeftover } from './leftovers.js'
import { readNotificationFd, notificationStdio, onFirstNewline } from './readiness.js'
import { writeReadiness } from '../svdir/ready-file.js'
import { isControlLetter } from '../protocol/control.js'
import type { Readable } from 'node:stream'
import { step, initialState, hookToAsk, mayStop, setsWantFirst, RUNIT_STOP, type State, type Event, type Effect, type Who, type Svc, type StopPolicy, type TimerPurpose } from './state.js'

export interface SupervisorOptions {
  /** the service directory as given (used in messages) */
  dir: string
  /** base for a relative dir */
  cwd: string
  /** message writer, prefixed "runsv <dir>" */
  say: Say
  /** descriptors the services inherit as stdin, stdout (without log) and stderr */
  stdio?: { in: number, out: number, err: number }
}

/** Events as they arrive; hook results and ./finish's presence are added when they are handled. */
type RawEvent =
  | { kind: 'control', who: Who, letter: string }
  | { kind: 'term' }
  | { kind: 'exited', who: Who, code: number | null, signal: number }
  | { kind: 'timer', who: Who, purpose: TimerPurpose }
  | { kind: 'boot' }

interface Side {
  paths: SvPaths
  label: string
  lockFd: number
  okFd: number
  control: ControlReader | null
  lastPid: number | null
}

export class Supervisor {
  /** resolved once at start (runit chdirs into the directory): renaming or unlinking a symlink
   * to it later does not cut the supervisor off from its files */
  paths: SvPaths
  private readonly say: Say
  private readonly stdio: { in: number, out: number, err: number }
  private state!: State
  private main!: Side
  private log: Side | null = null
  private pipe: Pipe | null = null
  private readonly queue: RawEvent[] = []
  private draining = false
  private finished = false
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly dirty = new Set<Who>()
  private resolveExited!: (fault: Error | undefined) => void
  /** resolves once the supervisor has exited (after 'x', terminate() or kill()); with the error
   * when it failed inside (its services were killed) */
  readonly exited: Promise<Error | undefined>

  constructor (opts: SupervisorOptions) {
    this.paths = servicePaths(opts.dir, opts.cwd)
    this.say = opts.say
    this.stdio = opts.stdio ?? { in: 0, out: 1, err: 2 }
    this.exited = new Promise(resolve => { this.resolveExited = resolve })
  }

  /** Sets everything up (runsv's startup sequence) and starts the services. Throws SysError. */
  async start (): Promise<void> {
    try {
      if (!statSync(this.paths.dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
      this.paths = servicePaths(realpathSync(this.paths.dir))
    } catch (err) {
      throw new SysError('unable to change to directory', err)
    }
    const p = this.paths
    const now = taiNow()
    const hasLog = this.detectLog()
    const logPaths = hasLog ? servicePaths(p.log) : null
    this.state = initialState(now, exists(p.down), logPaths === null ? null : { normallyDown: exists(logPaths.down) })

    try {
      await this.setUp(logPaths)
    } catch (err) {
      this.finish() // release what was opened: in a shared process a half-set-up supervisor leaks
      throw err
    }
    // runit writes a "down" record, then the "run" one a moment later. Here the boot step starts
    // what should run first, so a service that starts at once gets one record: three file
    // creations fewer per side (what starting many services costs most, bench/README.md).
    // Control letters that arrive meanwhile wait in the queue.
    this.draining = true
    try {
      await this.stopLeftovers() // letters wait: a u must not start a run beside the leftover
      await this.handle({ kind: 'boot' })
      this.holdOkFifos()
    } catch (err) {
      const fault = err instanceof Error ? err : new Error(String(err))
      this.kill(fault)
      throw fault
    } finally {
      this.draining = false
    }
    if (this.queue.length > 0) void this.drain()
  }

  /** supervise/ and log/supervise/: lock, FIFOs, the log pipe; each failure is runit's fatal line. */
  private async setUp (logPaths: SvPaths | null): Promise<void> {
    const p = this.paths
    makeSupervise(p.supervise, p.dir, './supervise')
    this.main = { paths: p, label: 'supervise', lockFd: -1, okFd: -1, control: null, lastPid: null }
    this.main.lockFd = openOrFail(() => openLockFile(p.lock), 'unable to open supervise/lock')
    if (logPaths !== null) {
      makeSupervise(logPaths.supervise, logPaths.dir, './log/supervise')
      this.log = { paths: logPaths, label: 'log/supervise', lockFd: -1, okFd: -1, control: null, lastPid: null }
      this.log.lockFd = openOrFail(() => openLockFile(logPaths.lock), 'unable to open log/supervise/lock')
    }
    const sides = this.log === null ? [this.main] : [this.main, this.log]
    const pipeFifo = this.log === null ? null : this.log.paths.tmp(join(this.log.paths.supervise, 'pipe'))
    const fifos = [...sides.flatMap(s => [s.paths.control, s.paths.ok]), ...(pipeFifo === null ? [] : [pipeFifo])]
    const missing = fifos.filter(f => !existsSync(f))
    let locked: boolean
    try {
      locked = await lockThenMakeFifos(this.main.lockFd, this.log?.lockFd ?? null, missing)
    } catch (err) {
      throw new SysError('unable to lock supervise/lock', err)
    }
    if (!locked) throw new SysError('unable to lock supervise/lock', { code: 'EAGAIN' })

    for (const side of sides) {
      const who: Who = side === this.main ? 'main' : 'log'
      if (!isFifo(side.paths.control)) throw new SysError(`${side.label}/control exists but is not a fifo`, undefined)
      side.control = openOrFail(() => openControl(side.paths, c => { this.push({ kind: 'control', who, letter: c }) }),
        `unable to open ${side.label}/control`)
      this.dirty.add(who)
    }
    for (const side of sides) {
      // runit does not check; a regular file named ok would make sv believe runsv runs (spec §10.10).
      if (!isFifo(side.paths.ok)) throw new SysError(`${side.label}/ok exists but is not a fifo`, undefined)
    }
    if (pipeFifo !== null) this.pipe = openOrFail(() => makePipe(pipeFifo), 'unable to create log pipe')
  }

  /** Runs left behind by a runsv that died: stopped before anything starts, the main one first so
   * that its last lines still reach the log service that is left too. */
  private async stopLeftovers (): Promise<void> {
    for (const side of [this.main, this.log]) {
      if (side === null) continue
      const pid = findLeftover(side.paths)
      if (pid === null) continue
      this.say.warn(`${side === this.log ? 'log/' : ''}./run left running by an earlier runsv (pid ${pid}): stopping it`)
      await stopLeftover(pid, readStopPolicy(side.paths, this.say))
    }
  }

  /** Opens supervise/ok (and the log's) once the first record is out: from then on sv sees a
   * running runsv, and always finds a status record beside it (runit's order). */
  private holdOkFifos (): void {
    for (const side of [this.main, this.log]) {
      if (side === null || side.okFd >= 0) continue
      side.okFd = openOrFail(() => holdOk(side.paths), `unable to read ${side.label}/ok`)
    }
  }

  /** SIGTERM: behave like control 'x'. */
  terminate (): void {
    this.push({ kind: 'term' })
  }

  /** Stops at once: KILL the services (each is its own process group) and release supervise/. */
  kill (fault?: Error): void {
    if (this.finished) return
    for (const svc of [this.state?.main, this.state?.log]) {
      if (svc === undefined || svc === null || svc.pid === 0) continue
      killWithGroup(svc.pid)
    }
    this.finish(fault)
  }

  /** A snapshot of the state (for hosts and tests). */
  get snapshot (): State {
    return this.state
  }

  private detectLog (): boolean {
    try {
      if (statSync(this.paths.log).isDirectory()) return true
      this.say.warn('./log: not a directory.')
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') this.say.warn('unable to stat() ./log: ', err)
    }
    return false
  }

  private push (ev: RawEvent): void {
    if (this.finished) return
    this.queue.push(ev)
    if (!this.draining) void this.drain()
  }

  private async drain (): Promise<void> {
    this.draining = true
    try {
      while (this.queue.length > 0 && !this.finished) {
        await this.handle(this.queue.shift()!)
      }
    } catch (err) {
      // A bug must not take down a process that hosts other supervisors: stop this one alone.
      this.kill(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.draining = false
    }
  }

  /** Completes a raw event with what step() must know, runs the step and publishes at its end
   * (and before each control script, which may read supervise/). */
  private async handle (raw: RawEvent): Promise<void> {
    const now = taiNow()
    let ev: Event
    switch (raw.kind) {
      case 'control':
        ev = { ...raw, ...await this.decide(raw.who, raw.letter), now }
        break
      case 'term':
        ev = { kind: 'term', ...await this.decide('main', 'x'), now }
        break
      case 'exited':
        ev = { ...raw, finishExists: raw.who === 'main' && this.state.main.state === 'run' && readable(this.paths.finish), now: taiNow() }
        break
      case 'timer':
      case 'boot':
        ev = raw
    }
    await this.apply(ev)
    this.flushPublish()
  }

  /** What step() must know of a letter beyond the letter: whether control/<hook> handled it (asked
   * after the new want is out, as runit's), and the stop policy when the letter may stop a run. */
  private async decide (who: Who, letter: string): Promise<{ handled: boolean, stop: StopPolicy }> {
    const side = who === 'main' ? this.main : this.log
    const state = (who === 'main' ? this.state.main : this.state.log)?.state
    if (side === null || state === undefined || !isControlLetter(letter)) return { handled: false, stop: RUNIT_STOP }
    if (setsWantFirst(who, letter, state)) await this.apply({ kind: 'want', who, letter })
    const hook = hookToAsk(who, letter, state)
    return {
      handled: hook !== null && await this.hook(hook),
      stop: mayStop(who, letter, state) ? readStopPolicy(side.paths, this.say) : RUNIT_STOP
    }
  }

  /** Runs control/<letter> once supervise/ shows the state so far: hooks read it, as in runit.
   * Without a script nobody can look in between, and the record waits for the end of the event. */
  private async hook (letter: string): Promise<boolean> {
    const ctx = this.hookContext()
    if (!hookPresent(ctx, letter)) return false
    this.flushPublish()
    this.holdOkFifos() // a control/u at boot may ask sv about this service
    return await runHook(ctx, letter)
  }

  private hookContext (): HookContext {
    return { paths: this.paths, say: this.say, stdin: this.stdio.in, stdout: this.pipe?.writeFd ?? this.stdio.out, stderr: this.stdio.err }
  }

  private async apply (ev: Event): Promise<void> {
    const { state, effects } = step(this.state, ev)
    this.state = state
    for (const fx of effects) await this.perform(fx)
  }

  private async perform (fx: Effect): Promise<void> {
    switch (fx.kind) {
      case 'publish':
        this.dirty.add(fx.who)
        return
      case 'kill':
        sendSignal(fx.pid, fx.signal)
        return
      case 'hook':
        await this.hook(fx.letter)
        return
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer)
          this.push({ kind: 'timer', who: fx.who, purpose: fx.purpose })
        }, fx.ms)
        this.timers.add(timer)
        return
      }
      case 'close-log-pipe':
        this.closePipe()
        return
      case 'exit':
        this.finish()
        return
      case 'spawn':
        await this.spawn(fx.who, fx.stage, fx.args)
    }
  }

  private async spawn (who: Who, stage: 'run' | 'finish', args: string[]): Promise<void> {
    const mainRun = who === 'main' && stage === 'run'
    if (mainRun) await this.hook('u')
    const isLog = who === 'log'
    const file = stage === 'run' ? './run' : './finish'
    const notifyFd = mainRun ? readNotificationFd(this.paths, this.say) : null
    const r = await spawnProgram({
      file,
      args,
      cwd: isLog ? this.paths.log : this.paths.dir,
      stdin: isLog ? this.pipe!.readFd : this.stdio.in,
      stdout: !isLog && this.pipe !== null ? this.pipe.writeFd : this.stdio.out,
      stderr: this.stdio.err,
      // Own session and process group, so a whole service can be signalled and a terminal's
      // ^C reaches runsv only (runsv then stops its services in order).
      setsid: true,
      extraFds: notifyFd === null ? undefined : notificationStdio(notifyFd)
    })
    if (!r.ok) {
      // runit's forked child prints this and exits 111; here no process exists, so say it and
      // handle the "exit" at once, which the one-second rule then paces.
      this.say.fatal(`unable to start ${isLog ? 'log/' : ''}${file}`, r.error)
      await this.apply({ kind: 'started', who, stage, pid: 0, now: taiNow() })
      await this.apply({ kind: 'exited', who, code: 111, signal: 0, finishExists: !isLog && stage === 'run' && readable(this.paths.finish), now: taiNow() })
      return
    }
    const notify = notifyFd === null ? null : r.child.stdio[notifyFd] as Readable
    if (notify !== null) {
      this.recordReadiness(r.pid, false) // before the run's status record, which sv reads first
      onFirstNewline(notify, () => { this.recordReadiness(r.pid, true) })
    }
    r.child.once('exit', (code, signal) => {
      notify?.destroy() // a child of the run may hold the other end open
      this.push({ kind: 'exited', who, code, signal: signalNumber(signal) })
    })
    const finishKillMs = stage === 'finish' ? readFinishTimeout(this.paths, this.say) : 0
    await this.apply({ kind: 'started', who, stage, pid: r.pid, now: taiNow(), finishKillMs })
  }

  private recordReadiness (pid: number, ready: boolean): void {
    try {
      writeReadiness(this.paths, pid, ready)
    } catch (err) {
      this.say.warn('unable to write supervise/ready', err)
    }
  }

  private flushPublish (): void {
    for (const who of [...this.dirty]) {
      const side = who === 'main' ? this.main : this.log
      const svc = who === 'main' ? this.state.main : this.state.log
      if (side === null || svc === null) continue
      try {
        publishRecord(side.paths, record(svc, side))
        side.lastPid = svc.pid
      } catch (err) {
        this.say.warn(`unable to write ${side.label}/status`, err)
      }
    }
    this.dirty.clear()
  }

  private closePipe (): void {
    if (this.pipe === null) return
    closeQuietly(this.pipe.writeFd)
    closeQuietly(this.pipe.readFd)
    this.pipe = null
  }

  /** Releases every descriptor and timer; the services are already down. */
  private finish (fault?: Error): void {
    if (this.finished) return
    this.finished = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.closePipe()
    for (const side of [this.main as Side | undefined, this.log]) {
      if (side === null || side === undefined) continue
      side.control?.close()
      if (side.okFd >= 0) closeQuietly(side.okFd)
      if (side.lockFd >= 0) closeQuietly(side.lockFd)
    }
    this.resolveExited(fault)
  }
}

function record (svc: Svc, side: Side): { pid?: string, stat: string, status: Buffer } {
  const status = encodeStatus({ when: svc.when, pid: svc.pid, paused: svc.paused, want: svc.want === 'up' ? 'up' : 'down', gotTerm: svc.gotTerm, state: svc.state })
  const stat = formatStat(svc)
  return side.lastPid === svc.pid ? { stat, status } : { pid: pidFileText(svc.pid), stat, status }
}

/** runit's supervise/ creation: mkdir 0700, or create a symlink's target (relative to `base`). */
function makeSupervise (path: string, base: string, label: string): void {
  try {
    mkdirSync(path, { mode: 0o700 })
    return
  } catch { /* exists, or a symlink */ }
  let target: string
  try {
    target = readlinkSync(path)
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'ENOENT' || code === 'EINVAL') return
    throw new SysError(`unable to readlink ${label}`, err)
  }
  // runit's own words for its 256-byte buffer, not strerror's "file name too long".
  if (Buffer.byteLength(target) >= 256) throw new SysError(`unable to readlink ${label}: name too long`, undefined)
  try {
    mkdirSync(resolve(base, target), { mode: 0o700 })
  } catch { /* runit ignores errors here; the lock open reports them */ }
}

function openOrFail<T> (open: () => T, what: string): T {
  try {
    return open()
  } catch (err) {
    if (err instanceof SysError) throw err
    throw new SysError(what, err)
  }
}

// Probes on the event path ask stat not to throw for a missing file: a thrown ENOENT costs
// Node 35 µs (stat) to 180 µs (open), and most services have no ./finish and no control/ hooks.
function exists (path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined
  } catch {
    return false
  }
}

/** ./finish counts when it opens for reading (runit: existence and readability, not exec). */
function readable (path: string): boolean {
  if (!exists(path)) return false
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK))
    return true
  } catch {
    return false
  }
}

function closeQuietly (fd: number): void {
  try { closeSync(fd) } catch { /* already closed */ }
}
