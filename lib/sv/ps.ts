// sv ps and the runsv check of sv signal / sv -a: which runsv keeps a service (supervise/cgroup
// names it; runit's runsv writes no such file) and the service's processes as a tree, like the
// CGroup part of `systemctl status`. Loaded by cli/sv.ts for these commands only.

import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { Cgroup } from '../os/cgroup.js'
import { readServiceCgroup, type ServiceCgroup } from '../svdir/cgroup-file.js'
import { readStatus } from '../svdir/status-file.js'
import { procStat, sessionMembers } from '../os/proc.js'
import type { SvPaths } from '../svdir/layout.js'

/** supervise/cgroup when the runsv it names is alive (the same pid, started at the same tick):
 * that runsv is runit-ts's; null for runit's runsv, or a file left by one that is gone. */
export function ourRunsv (paths: Pick<SvPaths, 'cgroup'>): ServiceCgroup | null {
  const c = readServiceCgroup(paths)
  if (c === null) return null
  try {
    return procStat(c.runsv.pid).startTicks === c.runsv.startTicks ? c : null
  } catch {
    return null
  }
}

/** One cgroup of the tree: its name, its processes, the cgroups below it. */
export interface Node {
  name: string
  procs: Array<{ pid: number, command: string }>
  below: Node[]
}

/** The service's processes: its main and log leaves (or the run's session in the fallback). */
export interface ServiceProcesses {
  /** the service's cgroup directory, or null in the fallback */
  cgroup: string | null
  /** fallback: the main run's pid, whose process group is the service (0 when down) */
  group: number
  sides: Node[]
}

/** What sv ps shows of a service kept by our runsv; the log side when it has one. */
export function serviceProcesses (main: ServiceCgroup, mainPaths: Pick<SvPaths, 'pid' | 'status'>,
  log: { c: ServiceCgroup, paths: Pick<SvPaths, 'pid' | 'status'> } | null): ServiceProcesses {
  if (main.cgroup !== null) {
    const sides = [cgroupNode('main', new Cgroup(main.cgroup))]
    if (log?.c.cgroup != null) sides.push(cgroupNode('log', new Cgroup(log.c.cgroup)))
    return { cgroup: main.cgroup.replace(/\/main$/, ''), group: 0, sides }
  }
  const leader = runningPid(mainPaths)
  const sides = [{ name: 'main', procs: described(leader === 0 ? [] : sessionMembers(leader)), below: [] }]
  if (log !== null) {
    const logLeader = runningPid(log.paths)
    sides.push({ name: 'log', procs: described(logLeader === 0 ? [] : sessionMembers(logLeader)), below: [] })
  }
  return { cgroup: null, group: leader, sides }
}

function runningPid (paths: Pick<SvPaths, 'status'>): number {
  try {
    const s = readStatus(paths)
    return s === 'bad-format' ? 0 : s.pid
  } catch {
    return 0
  }
}

/** A cgroup gone meanwhile shows empty (Cgroup's readers answer none). */
function cgroupNode (name: string, cg: Cgroup): Node {
  return { name, procs: described(cg.procs()), below: cg.children().map(c => cgroupNode(basename(c.dir), c)) }
}

function described (pids: number[]): Array<{ pid: number, command: string }> {
  return pids.sort((a, b) => a - b).map(pid => ({ pid, command: commandLine(pid) }))
    .filter(p => p.command !== '')
}

/** The command line as ps shows it, or [comm] when it has none; '' once the process is gone. */
function commandLine (pid: number): string {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (raw !== '') return raw.replace(/\0+$/, '').replaceAll('\0', ' ')
    return `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`
  } catch {
    return ''
  }
}

/** The lines of sv ps for one service, headed by its name and where its processes are. */
export function psLines (name: string, p: ServiceProcesses): string[] {
  const head = p.cgroup !== null
    ? `${name}: cgroup ${p.cgroup}`
    : `${name}: process group ${p.group} (no cgroup: session, process group and descendants)`
  return [head, ...tree(p.sides, '')]
}

function tree (nodes: readonly Node[], indent: string): string[] {
  return nodes.flatMap((n, i) => nodeLines(n, indent, i === nodes.length - 1))
}

function nodeLines (n: Node, indent: string, last: boolean): string[] {
  const lines = [`${indent}${last ? '└─' : '├─'}${n.name}`]
  const inner = indent + (last ? '  ' : '│ ')
  const count = n.procs.length + n.below.length
  n.procs.forEach((p, j) => { lines.push(`${inner}${j === count - 1 ? '└─' : '├─'}${p.pid} ${p.command}`) })
  n.below.forEach((b, j) => { lines.push(...nodeLines(b, inner, n.procs.length + j === count - 1)) })
  return lines
}
