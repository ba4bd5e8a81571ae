// What a child must get back that Node took from this process. At start-up Node raises its own
// open-files soft limit to the hard limit and resets ignored signals, and libuv resets every
// signal in a child; runit's programs pass on what they were started with. The bin shims note
// both before Node starts (node-start.ts). A program to be spawned is then prefixed with
// prlimit(1) and env(1) --ignore-signal (coreutils 8.31), which set them and exec it in the
// same pid; where neither differs (a container whose soft limit is the hard one), nothing is.

import { constants } from 'node:os'
import { startedWith } from './node-start.js'
import { ownLimits, UNLIMITED } from './limits.js'
import { findTool } from './program-file.js'

export interface Command {
  file: string
  args: string[]
  argv0?: string
}

/** Signals runit's runsvdir and runsv catch, so that what they start never gets them ignored. */
export const SUPERVISOR_CAUGHT: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGTERM', 'SIGCHLD']

let ownSoft: string | null | undefined
let envPath: string | null | undefined

/** The open-files soft limit this process was started with, when it is not its own now. */
export function nofileToRestore (): string | undefined {
  const started = startedWith()
  if (started === undefined) return undefined
  if (ownSoft === undefined) {
    try {
      const limit = ownLimits().nofile?.soft
      ownSoft = limit === undefined ? null : limit === UNLIMITED ? 'unlimited' : limit.toString()
    } catch {
      ownSoft = null // no /proc: keep ours
    }
  }
  return ownSoft === null || ownSoft === started.nofile ? undefined : started.nofile
}

/** env(1) when it knows --ignore-signal (asked once: `env --ignore-signal=1 --version`). */
function envIgnoring (): string | null {
  if (envPath === undefined) {
    const env = findTool('env')
    const { spawnSync } = process.getBuiltinModule('node:child_process')
    envPath = env !== undefined && spawnSync(env, ['--ignore-signal=1', '--version'], { stdio: 'ignore' }).status === 0 ? env : null
  }
  return envPath
}

/** env(1)'s words that ignore the signals this process was started ignoring, but `caught`;
 * none when there are none, or no env(1) that can. */
export function ignoreWords (caught: readonly NodeJS.Signals[] = []): string[] {
  const skip = new Set(caught.map(sig => constants.signals[sig]))
  const ignored = (startedWith()?.ignored ?? []).filter(n => !skip.has(n))
  const env = ignored.length > 0 ? envIgnoring() : null
  return env === null ? [] : [env, `--ignore-signal=${ignored.join(',')}`, '--']
}

let prlimitWords: string[] | undefined

/**
 * `cmd`, run through the programs that give it the limit and ignored signals this process was
 * started with; `caught` are left out of the ignored ones. A prefixed program gets `file` as its
 * argv[0] (prlimit and env cannot set another).
 */
export function withStartState (cmd: Command, caught: readonly NodeJS.Signals[] = []): Command {
  if (prlimitWords === undefined) {
    const soft = nofileToRestore()
    const prlimit = soft === undefined ? undefined : findTool('prlimit')
    prlimitWords = prlimit === undefined ? [] : [prlimit, `--nofile=${soft!}:`, '--']
  }
  const words = [...prlimitWords, ...ignoreWords(caught)]
  if (words.length === 0) return cmd
  return { file: words[0]!, args: [...words.slice(1), cmd.file, ...cmd.args] }
}
