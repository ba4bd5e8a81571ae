// supervise/cgroup (not runit's; its sv ignores it): which runsv keeps the service and where the
// service's processes are, for sv ps and sv -a. Written whole by runsv at its start:
//   runsv <pid> <start ticks>      the supervising process (runsvdir -1: the host), as /proc says
//   cgroup <directory>             the service's cgroup v2 leaf
// or, without a writable cgroup2 hierarchy, `session` on the second line: the run's session,
// process group and descendants are the service. The first line tells a reader whether the
// runsv holding supervise/ is runit-ts's (its pid alive, started at that tick) or runit's.

import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { writeAtomic } from '../os/atomic-write.js'
import { Cgroup, findHierarchy } from '../os/cgroup.js'
import type { SvPaths } from './layout.js'

export interface ServiceCgroup {
  runsv: { pid: number, startTicks: number }
  /** the leaf's directory, or null in the fallback */
  cgroup: string | null
}

export function writeServiceCgroup (p: Pick<SvPaths, 'cgroup' | 'tmp'>, c: ServiceCgroup): void {
  const where = c.cgroup === null ? 'session' : `cgroup ${c.cgroup}`
  writeAtomic(p.cgroup, p.tmp(p.cgroup), `runsv ${c.runsv.pid} ${c.runsv.startTicks}\n${where}\n`)
}

/** The file's content, or null when there is none or it is not in this shape. */
export function readServiceCgroup (p: Pick<SvPaths, 'cgroup'>): ServiceCgroup | null {
  let text: string
  try {
    text = readFileSync(p.cgroup, 'utf8')
  } catch {
    return null
  }
  const m = /^runsv (\d+) (\d+)\n(?:session|cgroup (\/.*))\n$/.exec(text)
  if (m === null) return null
  return { runsv: { pid: Number(m[1]), startTicks: Number(m[2]) }, cgroup: m[3] ?? null }
}

/** The cgroup of the service directory `dir` (absolute, physical) under `base`: the directory's
 * own name for the admin, and a hash of its whole path, so that two services of one name in
 * different directories never share one. Its leaves are `main` and `log`. */
export function serviceCgroupDir (base: string, dir: string): string {
  let h = 0x811c9dc5 // FNV-1a, 32 bits: enough to tell directories apart, no crypto to load
  for (const c of Buffer.from(dir)) h = Math.imul(h ^ c, 0x01000193) >>> 0
  const name = basename(dir).replace(/[^A-Za-z0-9_.@:+-]/g, '_').slice(0, 200)
  return join(base, `${name}.${h.toString(16).padStart(8, '0')}`)
}

/** Removes a dead runsv's cgroups for `dir` where they are empty (runsvdir, once its runsv was
 * killed and could not). rmdir fails on a populated cgroup, so a service's leftovers stay for
 * the next runsv to stop; the caller starts no runsv for `dir` meanwhile. */
export function removeEmptyServiceCgroups (dir: string): void {
  const found = findHierarchy()
  if (!found.ok) return
  const parent = serviceCgroupDir(found.hierarchy.base, dir)
  const leaves = ['main', 'log'].map(l => new Cgroup(join(parent, l)).remove())
  if (leaves.every(Boolean)) new Cgroup(parent).remove()
}
