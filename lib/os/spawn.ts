// Spawning supervised programs with raw descriptors. node:child_process, not execa: runsv wires
// fds (the log pipe) directly, needs the pid at once, and must stay lean on this hot path.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { errnoError } from '../errors/errors.js'
import { withStartState, SUPERVISOR_CAUGHT } from './inherit.js'
import { execError, findProgram } from './program-file.js'

export interface SpawnSpec {
  /** path as exec'd, e.g. "./run" (resolved against cwd, no PATH search) */
  file: string
  args: string[]
  /** argv[0] when it should differ from file */
  argv0?: string
  cwd: string
  stdin: number
  stdout: number
  stderr: number
  /** own session and process group (setsid) */
  setsid: boolean
  env?: NodeJS.ProcessEnv
  /** descriptors for the child's fds 3, 4, …; 'ignore' leaves that fd closed (svlogd's processor
   * gets 4 and 5), 'pipe' makes one whose other end is the child's stdio[n] (notification-fd) */
  extraFds?: Array<number | 'ignore' | 'pipe'>
  /** wraps the synchronous fork and exec, to place the child before it runs (os/cgroup.ts forkInto) */
  fork?: <T>(spawn: () => T) => T
}

export type SpawnResult = { ok: true, child: ChildProcess, pid: number } | { ok: false, error: Error }

/** Why exec of spec.file would fail, as spawn finds it (a bare name through the child's PATH). */
function programError (spec: SpawnSpec): string | undefined {
  if (spec.file.includes('/')) return execError(resolve(spec.cwd, spec.file))
  const found = findProgram(spec.file, (spec.env ?? process.env).PATH)
  return found.ok ? undefined : found.code
}

/**
 * Spawns with the limit and ignored signals this process was started with (inherit.ts); when exec
 * fails, resolves with the error (Node reports it on the next tick).
 */
export async function spawnProgram (spec: SpawnSpec): Promise<SpawnResult> {
  const cmd = withStartState(spec, SUPERVISOR_CAUGHT)
  if (cmd !== spec) {
    // prlimit or env would exec it and report a failure in its own words: find it out first.
    const code = programError(spec)
    if (code !== undefined) return { ok: false, error: errnoError(code, `spawn ${spec.file} ${code}`) }
  }
  let child: ChildProcess
  const start = (): ChildProcess => spawn(cmd.file, cmd.args, {
    cwd: spec.cwd,
    stdio: [spec.stdin, spec.stdout, spec.stderr, ...(spec.extraFds ?? [])],
    detached: spec.setsid,
    argv0: cmd.argv0,
    env: spec.env
  })
  try {
    child = spec.fork === undefined ? start() : spec.fork(start)
  } catch (error) {
    return { ok: false, error: error as Error }
  }
  if (child.pid === undefined) {
    const [error] = await once(child, 'error') as [Error]
    return { ok: false, error }
  }
  return { ok: true, child, pid: child.pid }
}
