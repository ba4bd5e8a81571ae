// Signal names ↔ numbers, from the running kernel's table (os.constants.signals).

import { constants } from 'node:os'

const BY_NAME = constants.signals as Readonly<Record<string, number>>

export function signalNumber (name: string | null | undefined): number {
  if (name === null || name === undefined) return 0
  return BY_NAME[name] ?? 0
}

/** process.kill that treats "no such process" as done: the child may be gone already. */
export function sendSignal (pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}
