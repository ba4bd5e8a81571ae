// One supervised service directory as a library object: Supervisor.start() sets up supervise/,
// takes the lock and starts the services; from then on it takes control letters, exits and timers
// one at a time, lets step() decide, performs the effects and publishes every transition.
// No process-wide state (no chdir, no process.on): many supervisors can share one Node process.

import { taiNow } from '../protocol/tai64.js'
import { encodeStatus } from '../protocol/status.js'
import { formatStat } from '../protocol/stat.js'
import { isControlLetter, ControlDecoder } from '../protocol/control.js'
import type { Say } from '../errors/say.js'
import type { SvPaths } from '../svdir/layout.js'
import { publishRecord, pidFileText } from '../svdir/status-file.js'
import { openServiceDir, findLog, setUpSupervise, holdOkFifo, closeSupervise, type SuperviseDir } from '../svdir/supervise-dir.js'
import { exists, readable } from '../os/probe.js'
import { closePipe, type Pipe } from '../os/pipe.js'
import { sendSignal, killWithGroup } from '../os/signals.js'
import { procStat } from '../os/proc.js'
import { writeServiceCgroup } from '../svdir/cgroup-file.js'
import { openGroups, removeGroups, sweep, type Groups, type ServiceGroup } from './service-group.js'
import { runHook, hookPresent, type HookContext } from './control-hooks.js'
import { readStopPolicy, readFinishTimeout, readKillMode, readSweepPolicy } from './stop-policy.js'
import { readRestartPolicy, reasonText } from './restart-policy.js'
import { reasonFileText, writeReason } from '../svdir/reason-file.js'
import { recordDeath, deathTally, DEFAULT_DEATH_TALLY } from '../svdir/deaths-file.js'
import { findLeftover, stopLeftover } from './leftovers.js'
import { startService, type ServiceIo } from './spawn.js'
import { EventQueue } from './event-queue.js'
import { Announcer } from './events.js'
import { DependencyGate } from './dependencies.js'
import { boundRunning, boundStopped } from './binds.js'
import { hasBindListener } from '../svdir/event-dir.js'
import { wantsAdoption, becomeSubreaper, readPidfileSetting, findDaemon, followDaemon, DAEMON_WAIT_MS } from './forking.js'
import { step, initialState, hookToAsk, mayStop, setsWantFirst, RUNIT_STOP, RUNIT_RESTART, type RestartPolicy, type Death, type State, type Event, type Effect, type Who, type Svc, type StopPolicy, type TimerPurpose } from './state.js'

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
  /** sv signal, sv -a: a signal for the main process or all of the service (not runit's) */
  | { kind: 'signal', who: Who, signo: number, all: boolean }
  | { kind: 'term' }
  /** `daemon`: the end of an adopted daemon (forking.ts), with the core flag its wait status gave */
  | { kind: 'exited', who: Who, code: number | null, signal: number, daemon?: true, core?: boolean }
  | { kind: 'timer', who: Who, purpose: TimerPurpose }

/** One side's supervise/ and the pid its pid file holds. */
interface Side extends SuperviseDir {
  lastPid: number | null
  /** what supervise/reason holds (main service); '' for none or no file */
  lastReason: string
}

export class Supervisor {
  /** Sets everything up (runsv's startup sequence) and starts the services. Throws SysError. */
  static async start (opts: SupervisorOptions): Promise<Supervisor> {
    // Resolved once, as runit chdirs into the directory (svdir/supervise-dir.ts).
    const paths = openServiceDir(opts.dir, opts.cwd)
    // Before this supervisor's first spawn (the lock's helper): the reaper must know Node's children.
    if (wantsAdoption(paths)) await becomeSubreaper()
    const now = taiNow()
    const log = findLog(paths, opts.say)
    const state = initialState(now, exists(paths.down), log === null ? null : { normallyDown: exists(log.down) })
    const queue = new EventQueue<RawEvent>()
    const decoders = { main: new ControlDecoder(), log: new ControlDecoder() }
    const dirs = await setUpSupervise(paths, log, (who, c) => {
      const input = decoders[who].feed(c)
      if (input?.kind === 'letter') queue.push({ kind: 'control', who, letter: input.letter })
      else if (input?.kind === 'signal') queue.push({ kind: 'signal', who, signo: input.signo, all: input.all })
    })
    // Once supervise/lock is ours: the cgroup of an earlier runsv of this directory is ours now.
    const groups = openGroups(paths.dir, log !== null)
    const sup = new Supervisor(opts, paths, state, dirs.main, dirs.log, dirs.pipe, queue, groups)
    try {
      await sup.boot()
    } catch (err) {
      const fault = err instanceof Error ? err : new Error(String(err))
      sup.kill(fault)
      throw fault
    }
    return sup
  }

  private readonly say: Say
  private readonly stdio: { in: number, out: number, err: number }
  private readonly main: Side
  private readonly log: Side | null
  private readonly timers = new Set<NodeJS.Timeout>()
  /** the pending spacing and retry timers, by service, for 'cancel' */
  private readonly restartTimers = new Map<NodeJS.Timeout, { who: Who, purpose: 'spacing' | 'retry' }>()
  private readonly dirty = new Set<Who>()
  private readonly resolveExited: (fault: Error | undefined) => void
  private finished = false
  /** supervise/event/'s listeners (events.ts) */
  private readonly events: Announcer
  /** the start gate of ./dependencies */
  private readonly deps: DependencyGate
  /** the daemon adopted from the present run (pidfile), whose end the reaper reports */
  private daemon: { release: () => void } | null = null
  /** resolves once the supervisor has exited (after 'x', terminate() or kill()); with the error
   * when it failed inside (its services were killed) */
  readonly exited: Promise<Error | undefined>

  private constructor (
    opts: SupervisorOptions, readonly paths: SvPaths, private state: State,
    main: SuperviseDir, log: SuperviseDir | null, private pipe: Pipe | null,
    private readonly queue: EventQueue<RawEvent>,
    private readonly groups: Groups
  ) {
    this.say = opts.say
    this.stdio = opts.stdio ?? { in: 0, out: 1, err: 2 }
    this.main = { ...main, lastPid: null, lastReason: '' }
    this.log = log === null ? null : { ...log, lastPid: null, lastReason: '' }
    this.events = new Announcer(main.paths, log?.paths ?? null, this.say)
    // Woken, it looks again through the spacing timer's event: settle() then starts ./run.
    this.deps = new DependencyGate(opts.dir, opts.cwd, paths, this.say, () => {
      this.queue.push({ kind: 'timer', who: 'main', purpose: { kind: 'spacing' } })
    }, () => { this.queue.push({ kind: 'control', who: 'main', letter: 't' }) })
    for (const who of this.log === null ? ['main' as const] : ['main' as const, 'log' as const]) this.dirty.add(who)
    let resolveExited: (fault: Error | undefined) => void = () => {}
    this.exited = new Promise(resolve => { resolveExited = resolve })
    this.resolveExited = resolveExited
  }

  /** Stops what an earlier runsv left running, starts what should run, and only then takes the
   * letters that came meanwhile (a u must not start a run beside the leftover). */
  private async boot (): Promise<void> {
    this.describeGroups()
    await this.stopLeftovers()
    // runit writes a "down" record, then the "run" one a moment later. Here the boot step starts
    // what should run first, so a service that starts at once gets one record: three file
    // creations fewer per side (what starting many services costs most, bench/README.md).
    await this.apply({ kind: 'boot' })
    this.flushPublish()
    this.holdOkFifos()
    this.queue.start(async ev => { await this.handle(ev) }, fault => { this.kill(fault) })
  }

  /** Runs left behind by a runsv that died: stopped before anything starts, the main one first so
   * that its last lines still reach the log service that is left too; then whatever else of them
   * is left in the service's cgroup (kill modes other than process). */
  private async stopLeftovers (): Promise<void> {
    for (const side of [this.main, this.log]) {
      if (side === null) continue
      const label = side === this.log ? 'log/' : ''
      const pid = findLeftover(side.paths)
      if (pid !== null) {
        this.say.warn(`${label}./run left running by an earlier runsv (pid ${pid}): stopping it`)
        await stopLeftover(pid, readStopPolicy(side.paths, this.say))
      }
      const group = this.groupOf(side === this.log ? 'log' : 'main')
      if (group.cgroup === null || group.empty(0)) continue
      const sweepPolicy = readSweepPolicy(side.paths, this.say)
      if (sweepPolicy === null) continue
      this.say.warn(`${label}processes left in ${group.cgroup.dir} by an earlier runsv: stopping them`)
      await sweep(group, 0, sweepPolicy.graceMs)
    }
  }

  /** supervise/cgroup of each side, and the fallback said once per process (runsv(8), CGROUPS). */
  private describeGroups (): void {
    if (this.groups.kind === 'session' && !fallbackSaid) {
      fallbackSaid = true
      this.say.warn(`no cgroup for the services (${this.groups.why}): a service is its run's session, process group and descendants`)
    }
    const runsv = { pid: process.pid, startTicks: procStat().startTicks }
    for (const [side, group] of [[this.main, this.groups.main], [this.log, this.groups.log]] as const) {
      if (side === null || group === null) continue
      try {
        writeServiceCgroup(side.paths, { runsv, cgroup: group.cgroup?.dir ?? null })
      } catch (err) {
        this.say.warn(`unable to write ${side.label}/cgroup`, err)
      }
    }
  }

  private pathsOf (who: Who): SvPaths {
    return who === 'log' ? this.log?.paths ?? this.paths : this.paths
  }

  private groupOf (who: Who): ServiceGroup {
    return who === 'log' ? this.groups.log ?? this.groups.main : this.groups.main
  }

  /** Once a process of a service has exited, the rest of its group, unless kill-mode is process:
   * before ./finish and the next run, so neither meets the last run's children (runsv(8), KILL
   * MODES). The record still shows the run meanwhile; letters wait in the queue. */
  private async sweepAfterExit (who: Who): Promise<void> {
    const side = who === 'main' ? this.main : this.log
    const svc = who === 'main' ? this.state.main : this.state.log
    if (side === null || svc === null) return
    const group = this.groupOf(who)
    if (group.empty(svc.pid)) return // the usual end: nothing else was started, or it is gone
    const policy = readSweepPolicy(side.paths, this.say)
    if (policy !== null) await sweep(group, svc.pid, policy.graceMs)
  }

  /** sv signal and sv -a: to the main process, or to every process of the service (KILL at once). */
  private signal (who: Who, signo: number, all: boolean): void {
    const svc = who === 'main' ? this.state.main : this.state.log
    if (svc === null) return
    const group = this.groupOf(who)
    if (!all) {
      if (svc.pid !== 0) sendSignal(svc.pid, signo)
    } else if (signo === KILL) {
      group.kill(svc.pid)
    } else {
      group.signal(svc.pid, signo)
    }
  }

  /** Opens supervise/ok (and the log's) once the first record is out: from then on sv sees a
   * running runsv, and always finds a status record beside it (runit's order). */
  private holdOkFifos (): void {
    holdOkFifo(this.main)
    if (this.log !== null) holdOkFifo(this.log)
  }

  /** SIGTERM: behave like control 'x'. */
  terminate (): void {
    this.queue.push({ kind: 'term' })
  }

  /** Stops at once: KILL the services (each is its own process group, and its group) and release
   * supervise/. */
  kill (fault?: Error): void {
    if (this.finished) return
    for (const who of ['main', 'log'] as const) {
      const svc = who === 'main' ? this.state.main : this.state.log
      if (svc === null || svc.pid === 0) continue
      killWithGroup(svc.pid)
      if (readKillMode(this.pathsOf(who), this.say) !== 'process') this.groupOf(who).kill(svc.pid)
    }
    this.finish(fault)
  }

  /** A snapshot of the state (for hosts and tests). */
  get snapshot (): State {
    return this.state
  }

  /** Completes a raw event with what step() must know, runs the step and publishes at its end
   * (and before each control script, which may read supervise/). */
  private async handle (raw: RawEvent): Promise<void> {
    const now = taiNow()
    let ev: Event
    if (raw.kind === 'term' || (raw.kind === 'control' && raw.who === 'main' && 'dx'.includes(raw.letter))) {
      await this.stopBoundFirst()
    }
    switch (raw.kind) {
      case 'control':
        ev = { ...raw, ...await this.decide(raw.who, raw.letter), now }
        break
      case 'term':
        ev = { kind: 'term', ...await this.decide('main', 'x'), now }
        break
      case 'signal':
        this.signal(raw.who, raw.signo, raw.all)
        return
      case 'exited':
        if (raw.daemon === true) this.daemon = null
        else if (await this.adoptDaemon(raw.who, raw.code)) {
          this.flushPublish()
          return
        }
        await this.sweepAfterExit(raw.who)
        ev = { ...raw, finishExists: raw.who === 'main' && this.state.main.state === 'run' && readable(this.paths.finish), now: taiNow(), restart: this.restartPolicy(raw.who) }
        break
      case 'timer':
        ev = raw
    }
    await this.apply(ev)
    this.flushPublish()
  }

  /** ./run exited 0 with a `pidfile` file: follow the daemon it left instead (forking.ts). */
  private async adoptDaemon (who: Who, code: number | null): Promise<boolean> {
    if (who !== 'main' || code !== 0 || this.daemon !== null || this.state.main.state !== 'run') return false
    const setting = readPidfileSetting(this.paths, this.say)
    if (setting === null) return false
    await becomeSubreaper() // the file may have come after this runsv started
    const pid = await findDaemon(setting, this.groups.main)
    if (pid === null) {
      this.say.warn(`pidfile: no daemon found within ${DAEMON_WAIT_MS / 1000} s of ./run's exit`)
      return false
    }
    this.daemon = followDaemon(pid, (code, signal, core) => {
      this.queue.push({ kind: 'exited', who: 'main', code, signal, daemon: true, core })
    })
    await this.apply({ kind: 'adopted', who: 'main', pid })
    return true
  }

  /** `NAME bind` elsewhere (binds.ts): before this run stops, 'stopping' is said and the runs
   * bound to it are waited for. */
  private async stopBoundFirst (): Promise<void> {
    const { pid, state } = this.state.main
    // Without a bound listener, no scan of the directory: a HUP stops hundreds at once.
    if (pid === 0 || state !== 'run' || !hasBindListener(this.paths)) return
    const bound = boundRunning(this.deps.scanDir, this.deps.self)
    if (bound.length === 0) return
    this.events.stoppingNow(pid)
    await boundStopped(bound)
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
    const { in: stdin, out, err: stderr } = this.stdio
    const fork = this.groups.main.fork
    return { paths: this.paths, say: this.say, stdin, stdout: this.pipe?.writeFd ?? out, stderr, fork }
  }

  private serviceIo (): ServiceIo {
    const readiness = (pid: number, ready: boolean): void => { this.events.readiness(pid, ready) }
    return { paths: this.paths, say: this.say, stdio: this.stdio, pipe: this.pipe, groups: this.groups, readiness }
  }

  private async apply (ev: Event): Promise<void> {
    const { state, effects } = step(this.state, ev)
    this.events.step(ev, this.state, state, effects)
    this.state = state
    for (const fx of effects) await this.perform(fx)
  }

  private async perform (fx: Effect): Promise<void> {
    switch (fx.kind) {
      case 'publish':
        this.dirty.add(fx.who)
        return
      case 'kill':
        if (fx.all === true) this.groupOf(fx.who).signal(fx.pid, fx.signal)
        else sendSignal(fx.pid, fx.signal)
        return
      case 'kill-group':
        killWithGroup(fx.pid)
        if (readKillMode(this.pathsOf(fx.who), this.say) !== 'process') {
          this.groupOf(fx.who).kill(fx.pid)
        }
        return
      case 'hook':
        await this.hook(fx.letter)
        return
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer)
          this.restartTimers.delete(timer)
          this.queue.push({ kind: 'timer', who: fx.who, purpose: fx.purpose })
        }, fx.ms)
        this.timers.add(timer)
        if (fx.purpose.kind !== 'kill') this.restartTimers.set(timer, { who: fx.who, purpose: fx.purpose.kind })
        return
      }
      case 'cancel':
        for (const [timer, { who, purpose }] of this.restartTimers) {
          if (who !== fx.who || purpose !== fx.purpose) continue
          clearTimeout(timer)
          this.timers.delete(timer)
          this.restartTimers.delete(timer)
        }
        return
      case 'close-log-pipe':
        this.closePipe()
        return
      case 'death':
        this.recordDeath(fx.death)
        return
      case 'exit':
        this.finish()
        return
      case 'spawn':
        await this.spawn(fx.who, fx.stage, fx.args)
    }
  }

  private async spawn (who: Who, stage: 'run' | 'finish', args: string[]): Promise<void> {
    if (who === 'main' && stage === 'run' && !await this.deps.mayStart(this.state.main.when)) return
    if (who === 'main' && stage === 'run') await this.hook('u')
    const pid = await startService(this.serviceIo(), who, stage, args, (code, signal) => {
      this.queue.push({ kind: 'exited', who, code, signal })
    })
    if (pid === 0) {
      // No process exists: handle its "exit 111" at once, which the one-second rule then paces.
      await this.apply({ kind: 'started', who, stage, pid: 0, now: taiNow() })
      await this.apply({ kind: 'exited', who, code: 111, signal: 0, finishExists: who === 'main' && stage === 'run' && readable(this.paths.finish), now: taiNow(), restart: this.restartPolicy(who) })
      return
    }
    const finishKillMs = stage === 'finish' ? readFinishTimeout(this.paths, this.say) : 0
    await this.apply({ kind: 'started', who, stage, pid, now: taiNow(), finishKillMs })
  }

  /** The main service's restart policy, read at each of its exits; the log service has runit's. */
  private restartPolicy (who: Who): RestartPolicy {
    return who === 'main' ? readRestartPolicy(this.paths, this.say) : RUNIT_RESTART
  }

  private flushPublish (): void {
    for (const who of [...this.dirty]) {
      const side = who === 'main' ? this.main : this.log
      const svc = who === 'main' ? this.state.main : this.state.log
      if (side === null || svc === null) continue
      try {
        const reason = reasonFileText(svc.when, svc.reason === null ? null : reasonText(svc.reason))
        if (reason !== side.lastReason) {
          writeReason(side.paths, reason)
          side.lastReason = reason
        }
        publishRecord(side.paths, record(svc, side))
        side.lastPid = svc.pid
      } catch (err) {
        this.say.warn(`unable to write ${side.label}/status`, err)
      }
    }
    this.dirty.clear()
    this.events.flush()
  }

  /** Adds the death to supervise/deaths, kept to max-death-tally lines. */
  private recordDeath (death: Death): void {
    let keep: number
    try {
      keep = deathTally(this.paths)
    } catch (err) {
      this.say.warn('unable to read max-death-tally', err)
      keep = DEFAULT_DEATH_TALLY
    }
    if (Number.isNaN(keep)) {
      this.say.warn('max-death-tally: not a number from 0 to 4096')
      keep = DEFAULT_DEATH_TALLY
    }
    try {
      recordDeath(this.paths, death, keep)
    } catch (err) {
      this.say.warn('unable to write supervise/deaths', err)
    }
  }

  private closePipe (): void {
    if (this.pipe === null) return
    closePipe(this.pipe)
    this.pipe = null
  }

  /** Releases every descriptor and timer; the services are already down. */
  private finish (fault?: Error): void {
    if (this.finished) return
    this.finished = true
    this.queue.close()
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.restartTimers.clear()
    this.closePipe()
    this.daemon?.release()
    removeGroups(this.groups)
    closeSupervise(this.main)
    if (this.log !== null) closeSupervise(this.log)
    this.deps.close()
    this.events.exit()
    this.resolveExited(fault)
  }
}

const KILL = 9

/** The fallback is said once per process (runsvdir -1 hosts many supervisors). */
let fallbackSaid = false

function record (svc: Svc, side: Side): { pid?: string, stat: string, status: Buffer } {
  const status = encodeStatus({ when: svc.when, pid: svc.pid, paused: svc.paused, want: svc.want === 'up' ? 'up' : 'down', gotTerm: svc.gotTerm, state: svc.state })
  const stat = formatStat(svc)
  return side.lastPid === svc.pid ? { stat, status } : { pid: pidFileText(svc.pid), stat, status }
}
