// PURE: the supervisor's state machine, step(state, event) → { state, effects }.
// Every (state, event) pair of runsv(8) is decided here, the control letters by one table
// (LETTERS); supervisor.ts only performs effects.
// One service record per supervised program: the main service and, with log/, the log service.

import { compareTai, type Tai } from '../protocol/tai64.js'
import type { RunState } from '../protocol/status.js'
import type { Want } from '../protocol/stat.js'
import { CONTROL, isControlLetter, type ControlLetter } from '../protocol/control.js'

export type Who = 'main' | 'log'
export type Stage = 'run' | 'finish'

/** systemd's KillMode= words: which processes a stop reaches (runsv(8), KILL MODES). */
export type KillMode = 'mixed' | 'control-group' | 'process'

/** How a stop is done, from the service directory's optional files (s6's names): the signal
 * that d and x send instead of TERM (`down-signal`), after how many ms a run that has not
 * died gets KILL (`timeout-kill`, 0 = never), and to which processes (`kill-mode`; step() only
 * tells control-group, which signals all, from the others, which signal the main process). */
export interface StopPolicy {
  signal: NodeJS.Signals
  killAfterMs: number
  killMode: KillMode
}

export const RUNIT_STOP: StopPolicy = { signal: 'SIGTERM', killAfterMs: 0, killMode: 'process' }

/** What a timer was set for: the end of the one-second restart spacing, or the kill of a run
 * that outlived timeout-kill or of a ./finish that outlived timeout-finish (identified by pid,
 * stage and the run's start time, so a later process is never hit). */
export type TimerPurpose =
  | { kind: 'spacing', n?: number }
  /** respawn-limit's retry=: want up again, if the limit still holds the service down */
  | { kind: 'retry', n: number }
  | { kind: 'kill', pid: number, when: Tai, state: 'run' | 'finish' }

/** ./finish exits with this to keep the service down (s6's "permanent failure"). */
export const FINISH_KEEP_DOWN = 125

/** The restart policy of the service directory's optional files, read at each exit of the main
 * service (runsv(8), RESTART POLICY); RUNIT_RESTART without them. */
export interface RestartPolicy {
  /** restart-backoff in ms: the longest pause before a restart; 0 (or up to 1 s): runit's 1 s */
  backoffMaxMs: number
  /** normal-exit: exit codes, and signal numbers, after which the run is not restarted */
  normalCodes: readonly number[]
  normalSignals: readonly number[]
  /** respawn-limit: more than `count` starts within `intervalMs` and the service stays down
   * (retryMs 0), or is wanted up again after retryMs */
  limit: { count: number, intervalMs: number, retryMs: number } | null
}

export const RUNIT_RESTART: RestartPolicy = { backoffMaxMs: 0, normalCodes: [], normalSignals: [], limit: null }

/** Why a service that was wanted up is down with want down (not runit's: it has none of these). */
export type DownReason =
  | { kind: 'normal-exit', code: number, signal: number }
  | { kind: 'respawn-limit', starts: number, intervalMs: number, retryMs: number }
  | { kind: 'finish-125' }

/** One end of a run of the main service, for supervise/deaths: when it started and ended (the
 * exit of ./run), how, and what runsv did next: `restart`, or why not (the policy's reason,
 * `down` or `exit` when wanted so). */
export interface Death {
  started: Tai
  ended: Tai
  code: number
  signal: number
  /** the kernel wrote a core dump (known only for an adopted daemon: runsv reaps it itself) */
  core?: boolean
  next: 'restart' | DownReason['kind'] | 'down' | 'exit'
}

export interface Svc {
  state: RunState
  want: Want
  pid: number
  paused: boolean
  gotTerm: boolean
  /** time of the last state change (status bytes 0-11) */
  when: Tai
  /** 'o' while down: start once even though want is down */
  once: boolean
  /** the 1-second rule holds back the next start */
  delayed: boolean
  /** the last exit of ./run, for ./finish's arguments and the death record */
  lastExit: { code: number, signal: number, core?: boolean, started?: Tai, ended?: Tai }
  /** the pause before the next quick restart, in ms (restart-backoff doubles it) */
  backoffMs: number
  /** the current delay is a restart-backoff pause, which u ends at once */
  backingOff: boolean
  /** number of the current delay or retry timer, so that an older timer is ignored */
  timerN: number
  /** ms times of the recent starts of ./run (respawn-limit) */
  starts: readonly number[]
  /** why the service is down with want down, when the restart policy decided it */
  reason: DownReason | null
}

export interface State {
  main: Svc
  log: Svc | null
  /** the exit sequence has handed over to the log service (pipe closed, log want exit) */
  closingLog: boolean
}

export type Event =
  /** `handled`: control/<letter> (or control/t for d, x) ran and exited 0; `stop`: the policy
   * of the service dir when the letter may stop a run (d, x, t), else RUNIT_STOP */
  | { kind: 'control', who: Who, letter: string, handled: boolean, now: Tai, stop: StopPolicy }
  /** the want act of a letter alone, before control/<hook> decides the rest (setsWantFirst: d or
   * x on a running service), so that control/t sees it in supervise/status as runit's does */
  | { kind: 'want', who: Who, letter: ControlLetter }
  | { kind: 'term', handled: boolean, now: Tai, stop: StopPolicy }
  /** `finishKillMs`: for ./finish, the service dir's timeout-finish (0 = none, as runit) */
  | { kind: 'started', who: Who, stage: Stage, pid: number, now: Tai, finishKillMs?: number }
  /** `signal` is the number (0 for a normal exit); `finishExists`: ./finish can be opened */
  | { kind: 'exited', who: Who, code: number | null, signal: number, finishExists: boolean, now: Tai, restart?: RestartPolicy, core?: boolean }
  /** ./run exited 0 leaving the daemon `pid`, which runsv follows from now on (forking.ts) */
  | { kind: 'adopted', who: Who, pid: number }
  | { kind: 'timer', who: Who, purpose: TimerPurpose }
  /** setup is done: start what should run */
  | { kind: 'boot' }

export type Effect =
  | { kind: 'spawn', who: Who, stage: Stage, args: string[] }
  /** `all`: to every process of the service (kill mode control-group), not the main one only */
  | { kind: 'kill', who: Who, pid: number, signal: NodeJS.Signals, all?: true }
  /** KILL to the whole service (its cgroup; the run's process group in kill mode process) */
  | { kind: 'kill-group', who: Who, pid: number }
  /** run control/<letter> after a stop; its exit status is ignored */
  | { kind: 'hook', letter: 'd' | 'x' }
  | { kind: 'publish', who: Who }
  | { kind: 'delay', who: Who, ms: number, purpose: TimerPurpose }
  | { kind: 'close-log-pipe' }
  /** clear the pending timers of this kind (a backoff pause u ended, a retry that is moot), so
   * that an idle runsv keeps none */
  | { kind: 'cancel', who: Who, purpose: 'spacing' | 'retry' }
  /** add a line to supervise/deaths (main service) */
  | { kind: 'death', death: Death }
  | { kind: 'exit' }

export interface Step { state: State, effects: Effect[] }

/** runsv spaces starts of a service at least this far apart (runit's sleep(1)). */
export const RESTART_SPACING_MS = 1000

export function initialSvc (now: Tai, normallyDown: boolean): Svc {
  return {
    state: 'down',
    want: normallyDown ? 'down' : 'up',
    pid: 0,
    paused: false,
    gotTerm: false,
    when: now,
    once: false,
    delayed: false,
    lastExit: { code: 0, signal: 0 },
    backoffMs: RESTART_SPACING_MS,
    backingOff: false,
    timerN: 0,
    starts: [],
    reason: null
  }
}

export function initialState (now: Tai, normallyDown: boolean, log: { normallyDown: boolean } | null): State {
  return {
    main: initialSvc(now, normallyDown),
    log: log === null ? null : initialSvc(now, log.normallyDown),
    closingLog: false
  }
}

/** What a control letter does to one service (runsv.c's ctrl(), one cell of LETTERS):
 * - want: set the letter's want (o: and start once, while down) and publish;
 * - stop: runit's stopservice: send the stop signal (t: TERM, d and x: the stop policy's) unless
 *   control/t handled it, mark got TERM and publish; then, when want is down or exit, CONT and
 *   control/d or control/x (main service);
 * - signal: send the letter's signal, unless control/<letter> handled it;
 * - pause: set the letter's paused flag and publish. */
export type Act = 'want' | 'stop' | 'signal' | 'pause'

/** Every letter in every state of the service it is for, in one table (s6-supervise's
 * actions[state][event]); the acts of a cell are done in order. The log service has no ./finish,
 * and ignores the letters protocol/control marks mainOnly (x). */
export const LETTERS: Readonly<Record<ControlLetter, Readonly<Record<RunState, readonly Act[]>>>> = {
  u: { down: ['want'], run: ['want'], finish: ['want'] },
  o: { down: ['want'], run: ['want'], finish: ['want'] },
  d: { down: ['want'], run: ['want', 'stop'], finish: ['want'] },
  x: { down: ['want'], run: ['want', 'stop'], finish: ['want'] },
  t: { down: [], run: ['stop'], finish: [] },
  // Fixed from runit (runsv(8), CONTROL, k): KILL whatever runs, run or finish, and leave the state to the
  // reap, so a following 'u' cannot start a second instance beside a live one.
  k: { down: [], run: ['signal'], finish: ['signal'] },
  // p and c set the flag even when nothing runs (runit's record shows "paused" on a down service).
  p: { down: ['pause'], run: ['signal', 'pause'], finish: ['pause'] },
  c: { down: ['pause'], run: ['signal', 'pause'], finish: ['pause'] },
  h: { down: [], run: ['signal'], finish: [] },
  a: { down: [], run: ['signal'], finish: [] },
  i: { down: [], run: ['signal'], finish: [] },
  q: { down: [], run: ['signal'], finish: [] },
  '1': { down: [], run: ['signal'], finish: [] },
  '2': { down: [], run: ['signal'], finish: [] }
}

/** The acts of `letter` for a service of `who` in `state`; none for a byte that is no letter. */
export function actsFor (who: Who, letter: string, state: RunState): readonly Act[] {
  if (!isControlLetter(letter) || (who === 'log' && CONTROL[letter].mainOnly === true)) return []
  return LETTERS[letter][state]
}

/** The control/<letter> script the supervisor asks before step() (its exit 0 is the event's
 * `handled`): the letter's hook, asked only for the main service while ./run runs (runsv(8)). */
export function hookToAsk (who: Who, letter: string, state: RunState): ControlLetter | null {
  if (who !== 'main' || state !== 'run' || !isControlLetter(letter)) return null
  return CONTROL[letter].hook
}

/** Which control/<letter> script decides a letter when the main service runs (runsv(8)). */
export function hookLetterFor (letter: string): string | null {
  return hookToAsk('main', letter, 'run')
}

/** runit sets and publishes the want before it asks the hook (d and x on a run: control/t then
 * sees want down or exit in supervise/status); the supervisor steps a 'want' event first. */
export function setsWantFirst (who: Who, letter: string, state: RunState): boolean {
  return hookToAsk(who, letter, state) !== null && actsFor(who, letter, state)[0] === 'want'
}

/** A letter may stop a run here: the supervisor then reads the service's stop policy. */
export function mayStop (who: Who, letter: string, state: RunState): boolean {
  return actsFor(who, letter, state).includes('stop')
}

function ms (t: Tai): number {
  return t.sec * 1000 + Math.floor(t.nano / 1e6)
}

/** Mutable builder for one step: a copy of the state and the effects collected so far. */
class Builder {
  readonly s: State
  readonly fx: Effect[] = []
  constructor (state: State) {
    this.s = { ...state, main: { ...state.main }, log: state.log === null ? null : { ...state.log } }
  }

  svc (who: Who): Svc {
    const s = who === 'main' ? this.s.main : this.s.log
    if (s === null) throw new Error('no log service')
    return s
  }

  publish (who: Who): void { this.fx.push({ kind: 'publish', who }) }
  kill (who: Who, signal: NodeJS.Signals, all = false): void {
    const pid = this.svc(who).pid
    if (pid !== 0) this.fx.push(all ? { kind: 'kill', who, pid, signal, all } : { kind: 'kill', who, pid, signal })
  }

  /** runit's stopservice (the stop act of LETTERS). */
  stop (who: Who, handled: boolean, letter: ControlLetter, policy: StopPolicy): void {
    const s = this.svc(who)
    const all = policy.killMode === 'control-group'
    if (s.pid !== 0 && !handled) {
      this.kill(who, CONTROL[letter].signal ?? policy.signal, all)
      s.gotTerm = true
      this.publish(who)
      if (policy.killAfterMs > 0) {
        this.fx.push({ kind: 'delay', who, ms: policy.killAfterMs, purpose: { kind: 'kill', pid: s.pid, when: s.when, state: 'run' } })
      }
    }
    if (s.want === 'down' || s.want === 'exit') {
      this.kill(who, 'SIGCONT', all)
      if (who === 'main') this.fx.push({ kind: 'hook', letter: s.want === 'down' ? 'd' : 'x' })
    }
  }

  /** The want act: u, d, o, x. */
  wantOf (who: Who, letter: ControlLetter): void {
    const intent = CONTROL[letter].intent
    if (intent === undefined) return
    const s = this.svc(who)
    if (s.reason?.kind === 'respawn-limit' && s.reason.retryMs > 0) {
      this.fx.push({ kind: 'cancel', who, purpose: 'retry' })
    }
    s.reason = null
    if (intent === 'up') {
      // sv up: a new series of starts and pauses; a backoff pause ends at once
      s.starts = []
      s.backoffMs = RESTART_SPACING_MS
      if (s.delayed && s.backingOff) {
        s.delayed = false
        s.backingOff = false
        s.timerN++
        this.fx.push({ kind: 'cancel', who, purpose: 'spacing' })
      }
    }
    if (intent === 'once') {
      s.want = 'down'
      if (s.state === 'down') s.once = true
    } else {
      s.want = intent
      s.once = false
    }
    this.publish(who)
  }

  /** Performs the letter's cell of LETTERS; `handled` counts only where the hook was asked. */
  control (who: Who, letter: string, handled: boolean, policy: StopPolicy): void {
    if (!isControlLetter(letter)) return
    const s = this.svc(who)
    const meaning = CONTROL[letter]
    const decided = handled && hookToAsk(who, letter, s.state) !== null
    for (const act of actsFor(who, letter, s.state)) {
      switch (act) {
        case 'want':
          this.wantOf(who, letter)
          break
        case 'stop':
          this.stop(who, decided, letter, policy)
          break
        case 'signal':
          if (!decided && meaning.signal !== undefined) this.kill(who, meaning.signal)
          break
        case 'pause':
          s.paused = meaning.paused === true
          this.publish(who)
      }
    }
  }

  started (who: Who, stage: Stage, pid: number, now: Tai, finishKillMs: number): void {
    const s = this.svc(who)
    if (stage === 'run') {
      s.when = now
      s.state = 'run'
      s.once = false
      if (who === 'main') s.starts = [...s.starts, ms(now)]
    }
    s.pid = pid
    s.paused = false
    s.gotTerm = false
    this.publish(who)
    if (stage === 'finish' && pid !== 0 && finishKillMs > 0) {
      this.fx.push({ kind: 'delay', who, ms: finishKillMs, purpose: { kind: 'kill', pid, when: s.when, state: 'finish' } })
    }
  }

  exited (who: Who, code: number | null, signal: number, finishExists: boolean, now: Tai, policy: RestartPolicy,
    core = false): void {
    const s = this.svc(who)
    const wasRun = s.state === 'run'
    s.pid = 0
    s.gotTerm = false
    if (who === 'main' && s.state === 'finish' && code === FINISH_KEEP_DOWN && s.want === 'up') {
      s.want = 'down'
      s.reason = { kind: 'finish-125' }
    }
    if (who === 'main' && wasRun) {
      s.lastExit = { code: code ?? -1, signal, started: s.when, ended: now, ...(core ? { core } : {}) }
      this.judge(s, code, signal, now, policy)
      if (finishExists) {
        s.state = 'finish'
        this.publish(who)
        return
      }
    }
    const { started, ended, code: lastCode, signal: lastSignal, core: dumped } = s.lastExit
    if (who === 'main' && started !== undefined && ended !== undefined && s.state !== 'down') {
      const next = s.reason?.kind ?? (s.want === 'up' ? 'restart' : s.want)
      const death: Death = { started, ended, code: lastCode, signal: lastSignal, next }
      this.fx.push({ kind: 'death', death: dumped === true ? { ...death, core: true } : death })
    }
    s.state = 'down'
    const lived = ms(now) - ms(s.when)
    s.when = now
    this.publish(who)
    this.pause(who, s, lived, policy.backoffMaxMs)
    if (s.reason?.kind === 'respawn-limit' && s.reason.retryMs > 0) {
      this.fx.push({ kind: 'delay', who, ms: s.reason.retryMs, purpose: { kind: 'retry', n: s.timerN } })
    }
  }

  /** The restart policy at an exit of ./run while wanted up: a normal exit, or one start too many
   * within the respawn limit, sets want down (as if sv once had run) and records why. */
  judge (s: Svc, code: number | null, signal: number, now: Tai, policy: RestartPolicy): void {
    const limit = policy.limit
    s.starts = limit === null ? [] : s.starts.filter(t => ms(now) - t < limit.intervalMs)
    if (s.want !== 'up') return
    const normal = signal === 0
      ? code !== null && policy.normalCodes.includes(code)
      : policy.normalSignals.includes(signal)
    if (normal) {
      s.want = 'down'
      s.reason = { kind: 'normal-exit', code: code ?? -1, signal }
    } else if (limit !== null && s.starts.length > limit.count) {
      s.want = 'down'
      s.reason = { kind: 'respawn-limit', starts: s.starts.length, intervalMs: limit.intervalMs, retryMs: limit.retryMs }
      s.starts = []
    }
  }

  /** The pause before a restart: runit's 1 s after a run that lived less than 1 s; with
   * restart-backoff, after a run that lived less than its maximum, a pause that doubles from 1 s
   * up to that maximum at each such run (a longer run starts the series again). */
  pause (who: Who, s: Svc, lived: number, backoffMaxMs: number): void {
    s.timerN++
    let pause = lived < RESTART_SPACING_MS ? RESTART_SPACING_MS : 0
    s.backingOff = false
    if (backoffMaxMs > RESTART_SPACING_MS && s.want === 'up') {
      if (lived >= backoffMaxMs) {
        s.backoffMs = RESTART_SPACING_MS
      } else {
        pause = Math.max(pause, Math.min(s.backoffMs, backoffMaxMs))
        s.backoffMs = Math.min(pause * 2, backoffMaxMs)
        s.backingOff = pause > RESTART_SPACING_MS
      }
    } else {
      s.backoffMs = RESTART_SPACING_MS
    }
    if (pause > 0) {
      s.delayed = true
      this.fx.push({ kind: 'delay', who, ms: pause, purpose: { kind: 'spacing', n: s.timerN } })
    }
  }

  timer (who: Who, purpose: TimerPurpose): void {
    const s = this.svc(who)
    if (purpose.kind === 'spacing') {
      if (purpose.n !== undefined && purpose.n !== s.timerN) return
      s.delayed = false
      s.backingOff = false
    } else if (purpose.kind === 'retry') {
      if (purpose.n !== s.timerN || s.reason?.kind !== 'respawn-limit' || s.want !== 'down') return
      s.reason = null
      s.want = 'up'
      s.backoffMs = RESTART_SPACING_MS
      this.publish(who)
    } else if (s.pid === purpose.pid && s.state === purpose.state && compareTai(s.when, purpose.when) === 0) {
      this.fx.push({ kind: 'kill-group', who, pid: s.pid })
    }
  }

  /** After every event: runit's loop head (start what should run) and its exit check. */
  settle (): void {
    const { main, log } = this.s
    if (main.want === 'exit' && main.state === 'down' && main.pid === 0) {
      if (log === null || log.pid === 0) {
        this.fx.push({ kind: 'exit' })
        return
      }
      if (!this.s.closingLog) {
        this.s.closingLog = true
        log.want = 'exit'
        this.publish('log')
        this.fx.push({ kind: 'close-log-pipe' })
      }
      return
    }
    if (log !== null && log.pid === 0 && log.want === 'up' && !log.delayed) {
      this.fx.push({ kind: 'spawn', who: 'log', stage: 'run', args: [] })
    }
    if (main.pid === 0 && !main.delayed) {
      if (main.state === 'finish') {
        const { code, signal } = main.lastExit
        // runit's two arguments; a third when the restart policy keeps the service down (runsv(8))
        const args = [String(code), String(signal), ...(main.reason === null ? [] : [main.reason.kind])]
        this.fx.push({ kind: 'spawn', who: 'main', stage: 'finish', args })
      } else if (main.want === 'up' || main.once) {
        this.fx.push({ kind: 'spawn', who: 'main', stage: 'run', args: [] })
      }
    }
  }
}

export function step (state: State, ev: Event): Step {
  const b = new Builder(state)
  switch (ev.kind) {
    case 'control':
      if (ev.who === 'main' || b.s.log !== null) b.control(ev.who, ev.letter, ev.handled, ev.stop)
      break
    case 'term':
      b.control('main', 'x', ev.handled, ev.stop)
      break
    case 'want':
      if (ev.who === 'main' || b.s.log !== null) b.wantOf(ev.who, ev.letter)
      break
    case 'started':
      b.started(ev.who, ev.stage, ev.pid, ev.now, ev.finishKillMs ?? 0)
      // A spawn that fails leaves no process; the supervisor follows with an 'exited' event.
      return { state: b.s, effects: b.fx }
    case 'exited':
      b.exited(ev.who, ev.code, ev.signal, ev.finishExists, ev.now, ev.restart ?? RUNIT_RESTART, ev.core)
      break
    case 'adopted':
      // the run goes on in the daemon: same state and start time, its pid from now on
      if (ev.who === 'main' || b.s.log !== null) {
        b.svc(ev.who).pid = ev.pid
        b.publish(ev.who)
      }
      return { state: b.s, effects: b.fx }
    case 'timer':
      b.timer(ev.who, ev.purpose)
      break
    case 'boot':
      break
  }
  b.settle()
  return { state: b.s, effects: b.fx }
}
