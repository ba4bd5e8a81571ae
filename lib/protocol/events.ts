// PURE: the line runsv writes into each listener's FIFO of supervise/event/ for one transition
// (runsv(8), EVENTS): `NAME WHO MICROS PID CODE SIGNAL\n`, '-' for a field that does not apply.
// Short (well under PIPE_BUF, so each write is atomic) and without the service's name: the
// listener knows which service directory it subscribed to.

export const EVENT_NAMES = ['starting', 'started', 'ready', 'stopping', 'stopped', 'finished', 'down', 'exit'] as const
export type EventName = typeof EVENT_NAMES[number]

export interface SvEvent {
  name: EventName
  who: 'main' | 'log'
  /** wall-clock time, microseconds since the Unix epoch */
  micros: number
  /** the process concerned (0: none) */
  pid: number
  /** ./run's exit code (stopped, finished), or null */
  code: number | null
  /** the signal number that ended ./run (stopped, finished), or null */
  signal: number | null
}

export function isEventName (s: string): s is EventName {
  return (EVENT_NAMES as readonly string[]).includes(s)
}

export function formatEvent (e: SvEvent): string {
  const opt = (n: number | null): string => n === null ? '-' : String(n)
  return `${e.name} ${e.who} ${e.micros} ${e.pid} ${opt(e.code)} ${opt(e.signal)}\n`
}

/** One line without its newline; null when it is not an event line (a future field is ignored). */
export function parseEvent (line: string): SvEvent | null {
  const f = line.split(' ')
  const [name, who, micros, pid, code, signal] = f
  if (name === undefined || !isEventName(name) || (who !== 'main' && who !== 'log') || f.length < 6) return null
  const num = (s: string | undefined): number | null => s === undefined || s === '-' || !/^\d+$/.test(s) ? null : Number(s)
  const us = num(micros)
  const p = num(pid)
  if (us === null || p === null) return null
  return { name, who, micros: us, pid: p, code: num(code), signal: num(signal) }
}
