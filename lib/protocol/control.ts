// The control letters runsv reads from supervise/control, one description each (runsv(8)).
// runsv's state machine (runsv/state.ts, which adds what each letter does in each state) and
// sv's wait loop (sv/commands.ts) both read this table; nobody else lists letters.

export type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGHUP' | 'SIGALRM' |
  'SIGINT' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2'

export type Intent = 'up' | 'down' | 'once' | 'exit'

export type ControlLetter = 'u' | 'd' | 'o' | 'x' | 't' | 'k' | 'p' | 'c' | 'h' | 'a' | 'i' | 'q' | '1' | '2'

export interface LetterMeaning {
  /** the want it sets: u up, d down, o down and start once, x exit */
  intent?: Intent
  /** the signal it sends to a running service (unless `hook` handled it); d and x stop with
   * the service's down-signal (TERM without one), t with TERM whatever down-signal says */
  signal?: Signal
  /** p, c: the paused flag it sets */
  paused?: boolean
  /** the control/<hook> script that decides it while the main service runs: exit 0 = handled,
   * runsv then sends nothing (d, x and t all ask control/t). control/u before ./run starts and
   * control/d, control/x after a stop run besides, and decide nothing. */
  hook: ControlLetter | null
  /** the log service ignores it: x, so the log outlives the main service */
  mainOnly?: true
}

export const CONTROL: Readonly<Record<ControlLetter, LetterMeaning>> = {
  u: { intent: 'up', hook: null },
  d: { intent: 'down', hook: 't' },
  o: { intent: 'once', hook: null },
  x: { intent: 'exit', hook: 't', mainOnly: true },
  t: { signal: 'SIGTERM', hook: 't' },
  k: { signal: 'SIGKILL', hook: 'k' },
  p: { signal: 'SIGSTOP', paused: true, hook: 'p' },
  c: { signal: 'SIGCONT', paused: false, hook: 'c' },
  h: { signal: 'SIGHUP', hook: 'h' },
  a: { signal: 'SIGALRM', hook: 'a' },
  i: { signal: 'SIGINT', hook: 'i' },
  q: { signal: 'SIGQUIT', hook: 'q' },
  '1': { signal: 'SIGUSR1', hook: '1' },
  '2': { signal: 'SIGUSR2', hook: '2' }
}

export function isControlLetter (c: string): c is ControlLetter {
  return Object.hasOwn(CONTROL, c)
}

/** runsv rewrites supervise/status after the letter in every state: the letters that set the
 * want or the paused flag (t, k and the signals only when a stop changes the record). */
export function publishes (letter: ControlLetter): boolean {
  const m = CONTROL[letter]
  return m.intent !== undefined || m.paused !== undefined
}

/** The want byte of supervise/status once runsv took the letter, on every service it reaches;
 * null when it sets none, or none on every service (x: exit, recorded 'd', on the main only). */
export function statusWant (letter: ControlLetter): 'up' | 'down' | null {
  const m = CONTROL[letter]
  if (m.intent === undefined || m.mainOnly === true) return null
  return m.intent === 'up' ? 'up' : 'down'
}

/** Not runit's: a request for any signal to the main process or to every process of the service
 * (sv signal, sv -a): a marker byte, then 0x80 + the signal number, written together. Both bytes
 * lie outside ASCII, and runit's runsv ignores bytes that are no letter, so it ignores them. */
export const SIGNAL_MAIN = 0xfe
export const SIGNAL_ALL = 0xff
const SIGNAL_BASE = 0x80

/** The request's bytes as a latin1 string (control-fifo writes it byte for byte). */
export function signalRequest (signo: number, all: boolean): string {
  if (!(signo > 0 && signo < 0x7e)) throw new RangeError(`no signal number: ${signo}`)
  return String.fromCharCode(all ? SIGNAL_ALL : SIGNAL_MAIN, SIGNAL_BASE + signo)
}

export type ControlInput = { kind: 'letter', letter: string } | { kind: 'signal', signo: number, all: boolean }

/** Reads supervise/control's bytes (latin1 characters) one by one: letters pass through, a signal
 * request comes out once both of its bytes are in. */
export class ControlDecoder {
  private marker = 0

  feed (c: string): ControlInput | null {
    const byte = c.charCodeAt(0)
    if (this.marker !== 0) {
      const all = this.marker === SIGNAL_ALL
      this.marker = 0
      if (byte > SIGNAL_BASE && byte < SIGNAL_MAIN) return { kind: 'signal', signo: byte - SIGNAL_BASE, all }
    }
    if (byte === SIGNAL_MAIN || byte === SIGNAL_ALL) {
      this.marker = byte
      return null
    }
    return { kind: 'letter', letter: c }
  }
}
