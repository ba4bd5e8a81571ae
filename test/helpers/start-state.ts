// Starting a program as a shell under `ulimit -Sn N; trap '' SIGS` would, and reading what its
// children got: the open-files soft limit and the SigIgn mask (lib/os/inherit.ts).

import { readFileSync } from 'node:fs'

export interface StartState { nofile: number, ignore: string[] }

/** This machine's hard open-files limit: LOW's soft limit must be below it. */
export const HARD_NOFILE = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1])

/** A soft limit a shell's `ulimit -Sn` would set, with the signals a shell's `&` ignores and the
 * two runit's supervisors catch. */
export const LOW: StartState = { nofile: 1000, ignore: ['INT', 'QUIT', 'HUP', 'TERM'] }

/** tap option for tests that start programs under LOW. */
export const needLowLimit = { skip: HARD_NOFILE > LOW.nofile ? false : `the hard open-files limit is ${LOW.nofile} or less here` } as const

/** exe and args run through sh, which sets the state and execs exe in the same pid. */
export function underState (state: StartState, exe: string, args: string[]): [string, string[]] {
  return ['/bin/sh', ['-c', `ulimit -S -n ${state.nofile} && trap '' ${state.ignore.join(' ')} && exec "$0" "$@"`, exe, ...args]]
}

/** Shell that prints "<open-files soft limit> <SigIgn mask>" of its own process, to `file` if given. */
export function noteState (file?: string): string {
  const note = `set -- $(grep 'Max open files' /proc/$$/limits); echo "$4 $(sed -n 's/^SigIgn:\\t//p' /proc/$$/status)"`
  return file === undefined ? note : `${note} > ${file}`
}
