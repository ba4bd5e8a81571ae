// supervise/cgroup (not runit's; its sv ignores it): which runsv keeps the service and where the
// service's processes are, for sv ps and sv -a. Written whole by runsv at its start:
//   runsv <pid> <start ticks>      the supervising process (runsvdir -1: the host), as /proc says
//   cgroup <directory>             the service's cgroup v2 leaf
// or, without a writable cgroup2 hierarchy, `session` on the second line: the run's session,
// process group and descendants are the service. The first line tells a reader whether the
// runsv holding supervise/ is runit-ts's (its pid alive, started at that tick) or runit's.

import { readFileSync } from 'node:fs'
import { writeAtomic } from '../os/atomic-write.js'
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
