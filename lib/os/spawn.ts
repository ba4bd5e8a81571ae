// Spawning supervised programs with raw descriptors. node:child_process, not execa: runsv wires
// fds (the log pipe) directly, needs the pid at once, and must stay lean on this hot path.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

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
}

export type SpawnResult = { ok: true, child: ChildProcess, pid: number } | { ok: false, error: Error }

/** Spawns; when exec fails, resolves with the error (Node reports it on the next tick). */
export async function spawnProgram (spec: SpawnSpec): Promise<SpawnResult> {
  let child: ChildProcess
  try {
    child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      stdio: [spec.stdin, spec.stdout, spec.stderr, ...(spec.extraFds ?? [])],
      detached: spec.setsid,
      argv0: spec.argv0,
      env: spec.env
    })
  } catch (error) {
    return { ok: false, error: error as Error }
  }
  if (child.pid === undefined) {
    const [error] = await once(child, 'error') as [Error]
    return { ok: false, error }
  }
  return { ok: true, child, pid: child.pid }
}
