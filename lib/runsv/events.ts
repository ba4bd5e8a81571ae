// runsv's events (runsv(8), EVENTS): which transitions a step made, derived PURELY from the event,
// the state before and after and the effects (transitions()), and the Announcer that writes them
// to supervise/event/ (svdir/event-dir.ts). Derived, not decided: step() stays as it was, and a
// service without listeners costs one stat per transition.

import { wallMicros } from '../protocol/tai64.js'
import type { EventName, SvEvent } from '../protocol/events.js'
import type { SvPaths } from '../svdir/layout.js'
import { notifyListeners } from '../svdir/event-dir.js'
import type { Say } from '../errors/say.js'
import type { Event, Effect, State, Svc, Who } from './state.js'

export interface Transition {
  name: EventName
  who: Who
  pid: number
  code: number | null
  signal: number | null
}

/** Letters that stop a running service (sv down, exit, term, kill). */
const STOPS = 'dxtk'

/** Down for good: runsv starts it again only on a command. */
function idle (s: Svc): boolean {
  return s.state === 'down' && s.pid === 0 && s.want !== 'up' && !s.once
}

/** The transitions of one step, in the order they happen: a stop asked, an end, down, a start. */
export function transitions (ev: Event, before: State, after: State, effects: readonly Effect[]): Transition[] {
  const out: Transition[] = []
  const add = (name: EventName, who: Who, pid = 0, code: number | null = null, signal: number | null = null): void => {
    out.push({ name, who, pid, code, signal })
  }
  for (const who of ['main', 'log'] as const) {
    const b = who === 'main' ? before.main : before.log
    const a = who === 'main' ? after.main : after.log
    if (b === null || a === null) continue
    const stopAsked = (ev.kind === 'control' && ev.who === who && STOPS.includes(ev.letter)) ||
      (ev.kind === 'term' && who === 'main') || (who === 'log' && !before.closingLog && after.closingLog)
    if (stopAsked && b.state === 'run' && b.pid !== 0) add('stopping', who, b.pid)
    if (ev.kind === 'exited' && ev.who === who) {
      const code = ev.signal === 0 ? ev.code : null
      const signal = ev.signal === 0 ? null : ev.signal
      if (b.state === 'run') add('stopped', who, b.pid, code, signal)
      else if (b.state === 'finish') add('finished', who, b.pid, code, signal)
    }
    if (ev.kind === 'started' && ev.who === who && ev.stage === 'run' && ev.pid !== 0) add('started', who, ev.pid)
    if (idle(a) && !idle(b)) add('down', who)
    if (effects.some(fx => fx.kind === 'spawn' && fx.who === who && fx.stage === 'run')) add('starting', who)
  }
  return out
}

/** Writes transitions to the listeners of the main service (all of them) and of the log service
 * (its own), and tells `ready` once a run is ready: at its start, or at its notification-fd line. */
export class Announcer {
  /** the run whose readiness comes later through notification-fd */
  private awaitingReady = 0
  /** a readiness line that came before the started step (not expected; kept in order anyway) */
  private earlyReady = 0
  private mainPid = 0
  /** 'starting' is said once per start, not at each look of the dependencies gate */
  private readonly starting = { main: false, log: false }
  /** the run whose 'stopping' was said before its stop (stoppingNow), not to be said twice */
  private stoppingSaid = 0
  /** said once supervise/ shows the step (flush), so that a listener reading it sees the state */
  private pending: SvEvent[] = []

  constructor (private readonly main: Pick<SvPaths, 'eventDir'>, private readonly log: Pick<SvPaths, 'eventDir'> | null,
    private readonly say: Say) {}

  step (ev: Event, before: State, after: State, effects: readonly Effect[]): void {
    for (const t of transitions(ev, before, after, effects)) {
      if (t.name === 'starting' && this.starting[t.who]) continue
      if (t.name === 'stopping' && t.who === 'main' && t.pid === this.stoppingSaid) continue
      this.starting[t.who] = t.name === 'starting'
      this.announce(t)
      if (t.name !== 'started') continue
      if (t.who === 'main') this.mainPid = t.pid
      if (t.who === 'log' || this.awaitingReady !== t.pid || this.earlyReady === t.pid) this.announce({ ...t, name: 'ready' })
    }
  }

  /** spawn.ts: run `pid` has a notification-fd (ready false) or wrote its line (ready true). */
  readiness (pid: number, ready: boolean): void {
    if (!ready) {
      this.awaitingReady = pid
    } else if (this.mainPid === pid) {
      this.announce({ name: 'ready', who: 'main', pid, code: null, signal: null })
      this.flush() // supervise/ready is written: outside a step, nothing else to wait for
    } else {
      this.earlyReady = pid
    }
  }

  /** 'stopping' of the main run before its stop begins (the services bound to it stop first). */
  stoppingNow (pid: number): void {
    this.stoppingSaid = pid
    this.announce({ name: 'stopping', who: 'main', pid, code: null, signal: null })
    this.flush()
  }

  /** Writes what the steps so far announced: called once supervise/ has been published. */
  flush (): void {
    const out = this.pending
    this.pending = []
    for (const ev of out) {
      this.notify(this.main, ev)
      // In log/supervise/event/ the log service is the directory's own service: 'main' there.
      if (ev.who === 'log' && this.log !== null) this.notify(this.log, { ...ev, who: 'main' })
    }
  }

  /** runsv leaves. */
  exit (): void {
    this.announce({ name: 'exit', who: 'main', pid: 0, code: null, signal: null })
    if (this.log !== null) this.announce({ name: 'exit', who: 'log', pid: 0, code: null, signal: null })
    this.flush()
  }

  private announce (t: Transition): void {
    this.pending.push({ ...t, micros: wallMicros() })
  }

  private notify (dir: Pick<SvPaths, 'eventDir'>, ev: SvEvent): void {
    try {
      notifyListeners(dir, ev)
    } catch (err) {
      this.say.warn('unable to read supervise/event', err)
    }
  }
}
