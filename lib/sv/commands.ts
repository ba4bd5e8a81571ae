// DATA: sv's command table (sv(8)): what each command word sends to supervise/control and how
// sv then waits. Lookup is a function of the table: named words first, then the first letter.

import { CONTROL, isControlLetter, publishes as publishesLetter, statusWant, signalRequest, type ControlLetter } from '../protocol/control.js'

/** A predicate the wait loop checks: a control letter's, or 'C' for the check command. */
export type Expect = ControlLetter | 'C'

export interface Command {
  /** 'status' reports; 'control' writes letters; 'check' writes nothing and only waits; 'runs'
   * prints supervise/deaths */
  action: 'status' | 'control' | 'check' | 'runs'
  /** bytes written to supervise/control in one write ('' for status and check) */
  letters: string
  /** predicates the wait loop requires, in order (all must hold) */
  expect: readonly Expect[]
  /** waits even without -v (the LSB words and check) */
  wait: boolean
  /** on timeout print "kill:" instead of "timeout:" and send k */
  killOnTimeout: boolean
  /** sv signal, sv -a (not runit's): the signal, and whether to every process of the service;
   * the letters then begin with the request (protocol/control.ts signalRequest) */
  signal?: { signo: number, all: boolean }
}

function control (letters: string, wait = false, killOnTimeout = false): Command {
  return { action: 'control', letters, expect: [...letters] as ControlLetter[], wait, killOnTimeout }
}

const STATUS: Command = { action: 'status', letters: '', expect: [], wait: false, killOnTimeout: false }

/** Words compared exactly (the LSB init-script actions and check). */
const NAMED: Readonly<Record<string, Command>> = {
  start: control('u', true),
  stop: control('d', true),
  restart: control('tcu', true),
  reload: control('h', true),
  shutdown: control('x', true),
  'try-restart': control('tc', true),
  'force-stop': control('d', true, true),
  'force-reload': control('tc', true, true),
  'force-restart': control('tcu', true, true),
  'force-shutdown': control('x', true, true),
  check: { action: 'check', letters: '', expect: ['C'], wait: true, killOnTimeout: false },
  // Not runit's: supervise/deaths, newest first. Its word starts with a letter runit's sv gives no
  // meaning to, and is matched whole, so no word runit's sv takes changes meaning (sv(8)).
  runs: { action: 'runs', letters: '', expect: [], wait: false, killOnTimeout: false }
}

/** Any other word counts by its first character (sv(8): "only the first character matters"). */
const BY_FIRST: Readonly<Record<string, Command>> = {
  u: control('u'),
  d: control('d'),
  o: control('o'),
  p: control('p'),
  c: control('c'),
  h: control('h'),
  a: control('a'),
  i: control('i'),
  q: control('q'),
  '1': control('1'),
  '2': control('2'),
  t: control('t'),
  k: control('k'),
  x: control('x'),
  e: control('x'),
  // Undocumented in sv(8) but accepted by runit: the kill-on-timeout forms.
  X: control('x', true, true),
  E: control('x', true, true),
  D: control('d', true, true),
  T: control('tc', true, true),
  s: STATUS
}

/**
 * The command a word names, or null (usage). In LSB mode the only s-words are start, stop,
 * shutdown and status itself; in normal mode any other s-word is status too.
 */
export function lookupCommand (word: string, lsb: boolean): Command | null {
  if (Object.hasOwn(NAMED, word)) return NAMED[word]!
  const first = word.charAt(0)
  if (!Object.hasOwn(BY_FIRST, first)) return null
  if (first === 's' && lsb && word !== 'status') return null
  return BY_FIRST[first]!
}

/** Whether runsv rewrites its record after taking `letters` whatever the state (protocol/control). */
export function publishes (letters: string): boolean {
  return [...letters].some(l => isControlLetter(l) && publishesLetter(l))
}

/** The want byte runsv records once it has taken `letters`: the last letter that sets one decides;
 * null if none does. */
export function wantAfter (letters: string): 'up' | 'down' | null {
  let want: 'up' | 'down' | null = null
  for (const l of letters) want = (isControlLetter(l) ? statusWant(l) : null) ?? want
  return want
}

/** Not runit's, matched whole: `sv signal SIGNAL service ...` and `sv ps service ...`. They
 * shadow runit's first letters s and p, as runit's own `check` shadows c: with runit's sv
 * these words mean status and pause (sv(8), SIGNALS AND PROCESSES). */
export const SIGNAL_WORD = 'signal'
export const PS_WORD = 'ps'

/** sv signal: the request for `signo`, to the main process or (-a) to all of the service. */
export function signalCommand (signo: number, all: boolean): Command {
  return { action: 'control', letters: signalRequest(signo, all), expect: [], wait: false, killOnTimeout: false, signal: { signo, all } }
}

/** -a with a signal command (term kill hup pause cont alarm interrupt quit 1 2): its signal to
 * every process of the service; pause and cont also set the paused flag, as their letters do.
 * null for a command that sends no signal. */
export function toAll (cmd: Command, signo: (name: string) => number): Command | null {
  const letter = cmd.letters.length === 1 && isControlLetter(cmd.letters) ? cmd.letters : null
  const sig = letter === null ? undefined : CONTROL[letter].signal
  if (cmd.signal !== undefined) return signalCommand(cmd.signal.signo, true)
  if (letter === null || sig === undefined || CONTROL[letter].intent !== undefined || cmd.wait) return null
  const all = signalCommand(signo(sig), true)
  if (CONTROL[letter].paused === undefined) return all
  return { ...all, letters: all.letters + letter, expect: [letter] }
}

/** Words of runit-ts's own read-only commands, compared exactly. Their first letters mean nothing
 * to runit's sv (which has no b f g j l m n r v w y z command), so no runit word changes meaning;
 * except events: to runit's sv, e means exit. It is read-only and shadows the letter as runit's own
 * check shadows c, and sv(8) warns that runit's sv would take it for exit. */
export const OWN_WORDS = { list: 'list', ls: 'list', log: 'log', wait: 'wait', events: 'events', new: 'new', remove: 'remove' } as const

export type OwnCommand = typeof OWN_WORDS[keyof typeof OWN_WORDS]

/** The runit-ts command a word names exactly, or null. */
export function lookupOwnCommand (word: string): OwnCommand | null {
  return Object.hasOwn(OWN_WORDS, word) ? OWN_WORDS[word as keyof typeof OWN_WORDS] : null
}
