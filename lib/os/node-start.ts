// Starting one of our Node programs from another (runsvdir → runsv) without Node's start-up tax.
// Nothing but the environment here: every program loads this file, sv included.
//
// With NODE_EXTRA_CA_CERTS set, Node 20 reads and parses that CA bundle before any JavaScript
// runs: 66 of the 91 ms of a `node -e 0` on the test machine (Node 24 defers it: 5 ms). runit-ts
// never speaks TLS. So where runsvdir starts our runsv, the variable travels under HELD's name,
// and every program of ours puts it back first thing (runProgram), so that what it starts
// (./run, ./finish, log/run) gets the environment it would have got from runit.

const CA = 'NODE_EXTRA_CA_CERTS'
export const HELD = 'RUNIT_TS_HELD_NODE_EXTRA_CA_CERTS'

/** Puts a held NODE_EXTRA_CA_CERTS back (before anything is spawned). */
export function restoreHeldEnv (env: NodeJS.ProcessEnv = process.env): void {
  const value = env[HELD]
  if (value === undefined) return
  delete env[HELD]
  env[CA] ??= value
}

/** env with NODE_EXTRA_CA_CERTS held under HELD's name (env itself when it is not set). */
export function heldEnv (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const value = env[CA]
  if (value === undefined) return env
  const held: NodeJS.ProcessEnv = { ...env, [HELD]: value }
  delete held[CA]
  return held
}
