// sv events and sv wait (sv(8)): listeners on supervise/event/ (svdir/event-dir.ts). Loaded by
// cli/sv.ts only for these words, so sv's other commands load none of it.

import { subscribe, type Subscription } from '../svdir/event-dir.js'
import { readStatus } from '../svdir/status-file.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { isReady } from '../svdir/ready-file.js'
import { exists } from '../os/probe.js'
import { instanceValue } from '../svdir/instances.js'
import { signalWord } from '../os/signals.js'
import type { SvPaths } from '../svdir/layout.js'
import type { EventName, SvEvent } from '../protocol/events.js'
import { statusLine } from './report.js'

export interface Watched {
  /** the name as given on the command line (Upstart's JOB) */
  name: string
  paths: SvPaths
}

/** Upstart's INSTANCE: VALUE of a directory named NAME@VALUE, else ''. */
export function instanceOf (dir: string): string {
  return instanceValue(dir) ?? ''
}

/** ISO 8601 UTC with microseconds. */
export function isoMicros (micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString()
  return `${iso.slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`
}

/** Formats events as JSON lines with Upstart's fields; remembers per job whether a stop was asked,
 * so that a run ended by the stop signal after `stopping` counts as RESULT ok. */
export class EventFormatter {
  private readonly stopAsked = new Set<string>()

  line (w: Watched, ev: SvEvent): string {
    return JSON.stringify(this.fields(w, ev)) + '\n'
  }

  /** The event's fields, in the line's order (the API hands them out as an object). */
  fields (w: Watched, ev: SvEvent): Record<string, string | number> {
    const job = ev.who === 'log' ? `${w.name.replace(/\/$/, '')}/log` : w.name
    const o: Record<string, string | number> = { event: ev.name, JOB: job, INSTANCE: instanceOf(w.paths.dir) }
    if (ev.name === 'stopping') {
      this.stopAsked.add(job)
      o.RESULT = 'ok'
    }
    if (ev.name === 'stopped') {
      const asked = this.stopAsked.delete(job)
      o.RESULT = ev.code === 0 || (asked && ev.signal !== null) ? 'ok' : 'failed'
      if (ev.code !== null) o.EXIT_STATUS = ev.code
      if (ev.signal !== null) o.EXIT_SIGNAL = signalWord(ev.signal)
    }
    if (ev.name === 'starting') this.stopAsked.delete(job)
    o.time = isoMicros(ev.micros)
    o.pid = ev.pid
    return o
  }
}

/** Subscribes to each service; onEvent gets every later event of each, in order. */
export function watch (services: readonly Watched[], onEvent: (w: Watched, ev: SvEvent) => void): Subscription[] {
  const subs: Subscription[] = []
  try {
    for (const w of services) subs.push(subscribe(w.paths, ev => { onEvent(w, ev) }))
  } catch (err) {
    for (const s of subs) s.close()
    throw err
  }
  return subs
}

/** Whether the service is already where EVENT leads (read after subscribing, so nothing is missed
 * between): up for started, up and ready for ready, down for stopped/finished/down, gone for exit.
 * starting and stopping are moments, only ever seen as events. */
export function reachedNow (name: EventName, p: SvPaths): boolean {
  if (name === 'starting' || name === 'stopping') return false
  let supervised: boolean
  try {
    supervised = isSupervised(p)
  } catch {
    supervised = false
  }
  if (name === 'exit') return !supervised
  if (!supervised) return false
  const s = readStatus(p)
  if (s === 'bad-format') return false
  switch (name) {
    case 'started':
      return s.pid !== 0 && s.state === 'run'
    case 'ready':
      return s.pid !== 0 && s.state === 'run' && isReady(p, s.pid)
    case 'down':
      return s.pid === 0 && s.state === 'down' && s.want === 'down'
    default:
      return s.pid === 0 && s.state === 'down'
  }
}

/** sv wait: resolves with the services that had not reached EVENT when timeoutMs ran out. */
export async function waitFor (name: EventName, services: readonly Watched[], timeoutMs: number): Promise<Watched[]> {
  const pending = new Set<Watched>(services)
  let done: () => void = () => {}
  const finished = new Promise<void>(resolve => { done = resolve })
  const subs = watch(services, (w, ev) => {
    if (ev.who !== 'main' || ev.name !== name) return
    pending.delete(w)
    if (pending.size === 0) done()
  })
  for (const w of services) if (reachedNow(name, w.paths)) pending.delete(w)
  if (pending.size > 0) {
    const timer = setTimeout(done, timeoutMs)
    await finished
    clearTimeout(timer)
  }
  for (const s of subs) s.close()
  return [...pending]
}

/** runit's timeout line for a service sv wait gave up on. */
export function timeoutLine (w: Watched, nowSec: number): string {
  let supervised = false
  try { supervised = isSupervised(w.paths) } catch { /* no supervise/ok */ }
  const s = supervised ? readStatus(w.paths) : 'bad-format'
  if (s === 'bad-format') return `timeout: ${w.name}: runsv not running\n`
  return `timeout: ${statusLine(w.name, s, !exists(w.paths.down), nowSec)}\n`
}
