// A service left running by a runsv that died (KILL, the OOM killer, a crash of a one-process
// host). runit's next runsv starts a second instance beside it; ours stops it first, once it
// holds supervise/lock (so no live runsv supervises it). The record beside the pid file tells
// whether the pid is still that run: the same pid, started in the second the record says, give
// or take the grain of the clocks, so a pid reused by an unrelated process is left alone.

import { readOptional } from '../svdir/optional-file.js'
import { processStartSeconds } from '../os/proc.js'
import { sendSignal, killWithGroup } from '../os/signals.js'
import { readStatus } from '../svdir/status-file.js'
import type { SvPaths } from '../svdir/layout.js'
import type { StopPolicy } from './state.js'

/** How far the process's start may be from the record's time (boot time is in whole seconds). */
const START_SLACK_S = 2
/** Without timeout-kill, how long a leftover has to stop before KILL (runsvdir's grace). */
const LEFTOVER_GRACE_MS = 10_000
const POLL_MS = 20

/** The pid of the run that supervise/ says is running, if that very process still runs. */
export function findLeftover (paths: Pick<SvPaths, 'pid' | 'status'>): number | null {
  let record
  let pid: number
  try {
    // A new service directory has none, and a one-process runsvdir starts hundreds.
    pid = Number.parseInt(readOptional(paths.pid) ?? '', 10)
    if (!(pid > 0)) return null // the usual case: the last runsv recorded its service down
    record = readStatus(paths)
  } catch {
    return null
  }
  if (record === 'bad-format' || record.pid !== pid || record.state !== 'run') return null
  const started = processStartSeconds(pid)
  if (started === null || Math.abs(started - record.when.sec) > START_SLACK_S) return null
  return pid
}

/** Stops it as d would (the policy's signal, then CONT), KILLs it and its group if it outlives
 * the grace, and resolves once it is gone. */
export async function stopLeftover (pid: number, policy: StopPolicy): Promise<void> {
  sendSignal(pid, policy.signal)
  sendSignal(pid, 'SIGCONT')
  if (await goneWithin(pid, policy.killAfterMs > 0 ? policy.killAfterMs : LEFTOVER_GRACE_MS)) return
  killWithGroup(pid)
  await goneWithin(pid, LEFTOVER_GRACE_MS)
}

async function goneWithin (pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (processStartSeconds(pid) === null) return true
    if (Date.now() >= end) return false
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}
