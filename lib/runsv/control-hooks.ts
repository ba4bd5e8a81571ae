// control/<letter> override scripts (runsv(8) "CUSTOMIZE CONTROL"). Run asynchronously with a
// timeout, signals unblocked (runit runs them synchronously with TERM/CHLD blocked: runsv(8), CUSTOMIZE CONTROL).
// Spawned with os/spawn like ./run rather than execa: the script's stdout is the raw log-pipe fd,
// and runsv stays free of execa's load cost (runsv memory is multiplied by the services).

import { once } from 'node:events'
import { spawnProgram } from '../os/spawn.js'
import { sendSignal } from '../os/signals.js'
import { statIfExists } from '../os/probe.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'
import { errnoCode } from '../errors/errors.js'

export const HOOK_TIMEOUT_MS = 10_000

export interface HookContext {
  paths: SvPaths
  say: Say
  /** fd for the script's stdout: the log pipe when there is a log */
  stdout: number
  stdin: number
  stderr: number
  /** starts the script in the service's group (service-group.ts), as systemd runs ExecStop= */
  fork: <T>(spawn: () => T) => T
}

/** Present = exists with the owner-execute bit (runit's test); stat errors other than ENOENT warn. */
export function hookPresent (ctx: HookContext, letter: string): boolean {
  try {
    const st = statIfExists(ctx.paths.hook(letter)) // a missing hook is the usual case
    return st !== undefined && (st.mode & 0o100) !== 0
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') ctx.say.warn(`unable to stat control/${letter}`, err)
    return false
  }
}

/** Runs control/<letter> (hookPresent said it is there); true iff it exited 0 ("handled"). */
export async function runHook (ctx: HookContext, letter: string): Promise<boolean> {
  const r = await spawnProgram({
    // Relative to cwd, as runit execs it: a script's $0 is then control/<letter>.
    file: `control/${letter}`,
    args: [],
    argv0: `control/${letter}`,
    cwd: ctx.paths.dir,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    setsid: false,
    fork: ctx.fork
  })
  if (!r.ok) {
    ctx.say.fatal('unable to run control/?', r.error)
    return false
  }
  const timer = setTimeout(() => { sendSignal(r.pid, 'SIGKILL') }, HOOK_TIMEOUT_MS)
  const [code] = await once(r.child, 'exit') as [number | null, string | null]
  clearTimeout(timer)
  // Unlike runit, a script killed by a signal (or by the timeout) did not handle the letter.
  return code === 0
}
