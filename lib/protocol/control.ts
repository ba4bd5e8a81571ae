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
