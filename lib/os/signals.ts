// Signal names ↔ numbers, from the running kernel's table (os.constants.signals).

import { constants } from 'node:os'
import { errnoCode } from '../errors/errors.js'

const BY_NAME = constants.signals as Readonly<Record<string, number>>

export function signalNumber (name: string | null | undefined): number {
  if (name === null || name === undefined) return 0
  return BY_NAME[name] ?? 0
}

/** The name of signal `n` without SIG ("TERM"), or the number as text when it has none. */
export function signalWord (n: number): string {
  const name = Object.keys(BY_NAME).find(k => BY_NAME[k] === n)
  return name === undefined ? String(n) : name.replace(/^SIG/, '')
}

/** A signal given as a name (TERM, SIGTERM, any case) or a number; null when there is no such signal. */
export function parseSignal (text: string): NodeJS.Signals | null {
  const t = text.trim().toUpperCase()
  if (/^\d+$/.test(t)) {
    const n = Number(t)
    return (Object.keys(BY_NAME).find(name => BY_NAME[name] === n) as NodeJS.Signals | undefined) ?? null
  }
  const name = t.startsWith('SIG') ? t : `SIG${t}`
  return Object.hasOwn(BY_NAME, name) ? name as NodeJS.Signals : null
}

/** Linux's highest signal number (SIGRTMAX); the real-time ones above SIGSYS have no name in
 * Node's table and are given by number. */
export const SIGNAL_MAX = 64

/** A signal as sv signal takes it: a name with or without SIG in any case, or a number from 1 to
 * SIGRTMAX; null when there is no such signal. */
export function parseSignalNumber (text: string): number | null {
  const t = text.trim()
  if (/^\d+$/.test(t)) return Number(t) >= 1 && Number(t) <= SIGNAL_MAX ? Number(t) : null
  const name = parseSignal(t)
  return name === null ? null : signalNumber(name)
}

/** process.kill that treats "no such process" as done: the child may be gone already. */
export function sendSignal (pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal)
  } catch (err) {
    if (errnoCode(err) !== 'ESRCH') throw err
  }
}

/** KILL to a run and its process group: ours lead a group of their own (runit's do not: the
 * group send then finds none), and the leader itself may have left it. */
export function killWithGroup (pid: number): void {
  sendSignal(-pid, 'SIGKILL')
  sendSignal(pid, 'SIGKILL')
}
