// Every process a service started: its cgroup where a writable cgroup2 hierarchy exists (a
// directory per service dir with the leaves `main` and `log`), else its run's session, process
// group and descendants (os/proc.ts sessionMembers). The kill modes (runsv(8), KILL MODES) act
// through this; runit has only the main pid.

import { Cgroup, findHierarchy, forkInto } from '../os/cgroup.js'
import { sessionMembers } from '../os/proc.js'
import { sendSignal } from '../os/signals.js'
import { serviceCgroupDir } from '../svdir/cgroup-file.js'

/** How long KILLed processes may take to leave (a process in D state outlives a KILL for a while). */
const KILL_WAIT_MS = 3000
const POLL_MS = 10

export interface ServiceGroup {
  /** the cgroup, or null in the fallback */
  readonly cgroup: Cgroup | null
  /** runs a synchronous spawn so that the child starts inside the group */
  fork: <T>(spawn: () => T) => T
  /** live processes of the group; `leader` is the run, whose session is the fallback's group */
  members: (leader: number) => number[]
  /** no live process is left (in a cgroup: nor in one below it, a nested supervisor's) */
  empty: (leader: number) => boolean
  signal: (leader: number, signal: NodeJS.Signals | number) => void
  /** KILL to all at once where the kernel allows */
  kill: (leader: number) => void
  /** removes the cgroup once empty (false: processes are left, kill mode process) */
  remove: () => boolean
}

export type Groups =
  | { kind: 'cgroup', parent: Cgroup, main: ServiceGroup, log: ServiceGroup | null }
  | { kind: 'session', why: string, main: ServiceGroup, log: ServiceGroup | null }

/** The groups of a service dir (absolute) and of its log service. A directory left by an earlier
 * runsv of the same service dir is reused: its processes are the leftovers runsv stops first. */
export function openGroups (dir: string, hasLog: boolean): Groups {
  const found = findHierarchy()
  if (found.ok) {
    const { base, home } = found.hierarchy
    const parent = new Cgroup(serviceCgroupDir(base, dir))
    try {
      const main = new Cgroup(`${parent.dir}/main`)
      main.make()
      const log = hasLog ? new Cgroup(`${parent.dir}/log`) : null
      log?.make()
      return { kind: 'cgroup', parent, main: inCgroup(main, home), log: log === null ? null : inCgroup(log, home) }
    } catch (err) {
      return sessionGroups(`unable to make ${parent.dir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, hasLog)
    }
  }
  return sessionGroups(found.why, hasLog)
}

function sessionGroups (why: string, hasLog: boolean): Groups {
  return { kind: 'session', why, main: inSession(), log: hasLog ? inSession() : null }
}

/** Removes what openGroups made, leaves then the service's directory. */
export function removeGroups (groups: Groups): void {
  if (groups.kind !== 'cgroup') return
  const leaves = [groups.main.remove(), groups.log?.remove() ?? true]
  if (leaves.every(Boolean)) groups.parent.remove()
}

function inCgroup (cgroup: Cgroup, home: string): ServiceGroup {
  return {
    cgroup,
    fork: spawn => {
      try {
        return forkInto(cgroup.dir, home, spawn)
      } catch (err) {
        // removed meanwhile (by hand, or a runsvdir cleaning after a killed runsv): make it again
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        cgroup.make()
        return forkInto(cgroup.dir, home, spawn)
      }
    },
    members: () => cgroup.procs(),
    empty: () => !cgroup.populated(),
    signal: (_, signal) => { cgroup.signal(signal) },
    kill: () => { cgroup.kill() },
    remove: () => cgroup.remove()
  }
}

function inSession (): ServiceGroup {
  return {
    cgroup: null,
    fork: spawn => spawn(),
    members: leader => leader > 0 ? sessionMembers(leader) : [],
    empty: leader => leader <= 0 || sessionMembers(leader).length === 0,
    signal: (leader, signal) => { for (const pid of leader > 0 ? sessionMembers(leader) : []) sendSignal(pid, signal) },
    kill: leader => { for (const pid of leader > 0 ? sessionMembers(leader) : []) sendSignal(pid, 'SIGKILL') },
    remove: () => true
  }
}

/**
 * What remains of a run once its main process is gone (kill modes mixed and control-group): TERM
 * and CONT to all, KILL to all after `graceMs`; resolves once none is left or the KILL has had
 * its time. Polls only while something remains.
 */
export async function sweep (group: ServiceGroup, leader: number, graceMs: number): Promise<void> {
  if (group.empty(leader)) return
  group.signal(leader, 'SIGTERM')
  group.signal(leader, 'SIGCONT')
  if (await emptyWithin(group, leader, graceMs)) return
  group.kill(leader)
  await emptyWithin(group, leader, KILL_WAIT_MS)
}

async function emptyWithin (group: ServiceGroup, leader: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (group.empty(leader)) return true
    if (Date.now() >= end) return false
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}
