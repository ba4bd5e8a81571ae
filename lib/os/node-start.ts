// Starting one of our Node programs from another (runsvdir → runsv) without Node's start-up tax,
// and what the bin shims noted before Node started. Nothing but the environment here: every
// program loads this file, sv included.
//
// With NODE_EXTRA_CA_CERTS set, Node 20 reads and parses that CA bundle before any JavaScript
// runs: 66 of the 91 ms of a `node -e 0` on the test machine (Node 24 defers it: 5 ms). runit-ts
// never speaks TLS. So where runsvdir starts our runsv, the variable travels under HELD's name,
// and every program of ours puts it back first thing (runProgram), so that what it starts
// (./run, ./finish, log/run) gets the environment it would have got from runit.

const CA = 'NODE_EXTRA_CA_CERTS'
export const HELD = 'RUNIT_TS_HELD_NODE_EXTRA_CA_CERTS'
/** Set by the bin shims (sh, before Node starts): "<open-files soft limit> <SigIgn mask, hex>". */
export const STARTED_WITH = 'RUNIT_TS_STARTED_WITH'

/** What this process was started with, before Node raised its open-files soft limit to the hard
 * limit and reset the ignored signals (lib/os/inherit.ts gives both back to its children). */
export interface StartState {
  /** the open-files soft limit, as prlimit(1) takes it: a number or "unlimited" */
  nofile: string
  /** numbers of the signals that were ignored */
  ignored: number[]
}

let startState: StartState | undefined

/** What the shim noted, or undefined when this process was not started through a shim. */
export function startedWith (): StartState | undefined {
  return startState
}

/** Parses the shim's note; undefined when it is malformed (then nothing is given back). */
export function parseStartState (text: string): StartState | undefined {
  const m = /^(\d+|unlimited) ([0-9a-fA-F]{1,16})$/.exec(text)
  if (m === null) return undefined
  const mask = BigInt(`0x${m[2]!}`)
  const ignored: number[] = []
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) ignored.push(n)
  return { nofile: m[1]!, ignored }
}

/** Puts a held NODE_EXTRA_CA_CERTS back and takes the shim's note out of the environment
 * (before anything is spawned). */
export function restoreHeldEnv (env: NodeJS.ProcessEnv = process.env): void {
  const noted = env[STARTED_WITH]
  if (noted !== undefined) {
    delete env[STARTED_WITH]
    startState = parseStartState(noted)
  }
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
