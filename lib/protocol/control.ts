// The control letters runsv reads from supervise/control, and what each one means (runsv(8)).
// runsv's state machine and sv's command table both import this table.

export type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGHUP' | 'SIGALRM' |
  'SIGINT' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2'

export type Intent = 'up' | 'down' | 'once' | 'exit'

interface LetterMeaning {
  /** want change the letter asks for */
  intent?: Intent
  /** signal sent to the service when it runs (and control/<letter> did not handle it) */
  signal?: Signal
}

export const CONTROL = {
  u: { intent: 'up' },
  d: { intent: 'down' },
  o: { intent: 'once' },
  x: { intent: 'exit' },
  t: { signal: 'SIGTERM' },
  k: { signal: 'SIGKILL' },
  p: { signal: 'SIGSTOP' },
  c: { signal: 'SIGCONT' },
  h: { signal: 'SIGHUP' },
  a: { signal: 'SIGALRM' },
  i: { signal: 'SIGINT' },
  q: { signal: 'SIGQUIT' },
  '1': { signal: 'SIGUSR1' },
  '2': { signal: 'SIGUSR2' }
} as const satisfies Record<string, LetterMeaning>

export type ControlLetter = keyof typeof CONTROL

export function isControlLetter (c: string): c is ControlLetter {
  return Object.hasOwn(CONTROL, c)
}

/** Letters that only deliver a signal (no want change, no record rewrite except p/c). */
export type SignalLetter = { [K in ControlLetter]: (typeof CONTROL)[K] extends { signal: Signal } ? K : never }[ControlLetter]

export function signalOf (letter: SignalLetter): Signal {
  return CONTROL[letter].signal
}
