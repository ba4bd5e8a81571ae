// Starting one of our Node programs from another (runsvdir → runsv) without Node's start-up tax.
//
// With NODE_EXTRA_CA_CERTS set, Node 20 reads and parses that CA bundle before any JavaScript
// runs: 66 of the 91 ms of a `node -e 0` on the test machine (Node 24 defers it: 5 ms). runit-ts
// never speaks TLS. So where runsvdir starts our runsv, the variable travels under HELD's name,
// and every program of ours puts it back first thing (runProgram), so that what it starts
// (./run, ./finish, log/run) gets the environment it would have got from runit.

import { accessSync, realpathSync, statSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const CA = 'NODE_EXTRA_CA_CERTS'
export const HELD = 'RUNIT_TS_HELD_NODE_EXTRA_CA_CERTS'

/** Puts a held NODE_EXTRA_CA_CERTS back (before anything is spawned). */
export function restoreHeldEnv (env: NodeJS.ProcessEnv = process.env): void {
  const value = env[HELD]
  if (value === undefined) return
  delete env[HELD]
  env[CA] ??= value
}

/**
 * The environment for `program`, looked up in env's PATH as execvp does: with
 * NODE_EXTRA_CA_CERTS held when the program found is `ours` (a real path), else env itself
 * (runit's C runsv would pass the held name on to the services).
 */
export function envForProgram (program: string, ours: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const value = env[CA]
  if (value === undefined || !foundIs(program, ours, env.PATH ?? '')) return env
  const held: NodeJS.ProcessEnv = { ...env, [HELD]: value }
  delete held[CA]
  return held
}

/** True when the first executable `program` in path is the file `ours`. */
function foundIs (program: string, ours: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, program)
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, constants.X_OK)
    } catch {
      continue
    }
    try {
      return realpathSync(candidate) === realpathSync(ours)
    } catch {
      return false
    }
  }
  return false
}
