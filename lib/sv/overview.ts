// sv list: every service of $SVDIR (or the ones named) at a glance, as an aligned table or as
// JSON (sv(8), "LIST"). Read-only: supervise/ok, status, ready, the down file, /proc/<pid>.

import { readdirSync, statSync } from 'node:fs'
import { resolveService } from './client.js'
import { statusFlags } from './report.js'
import { servicePaths, type SvPaths } from '../svdir/layout.js'
import { readStatus } from '../svdir/status-file.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { isReady, notificationFd } from '../svdir/ready-file.js'
import { readDeaths } from '../svdir/deaths-file.js'
import { procUsage } from '../os/proc.js'
import { Cgroup } from '../os/cgroup.js'
import { ourRunsv } from './ps.js'
import { exists } from '../os/probe.js'
import { reason } from '../errors/reason.js'
import { errnoError } from '../errors/errors.js'
import type { RunState } from '../protocol/status.js'

/** The version of the JSON shape; raised only when a field changes meaning or goes away. */
export const OVERVIEW_VERSION = 1

/** What sv list knows about one service (or its log service), in runit's words. */
export interface ServiceFacts {
  /** the name as given, or as listed in $SVDIR; "<name>/log" for a log service */
  name: string
  /** the service directory's physical path, or null when it cannot be entered */
  dir: string | null
  /** why nothing more is known (sv status's warning or fail text), or null */
  error: string | null
  /** null unless a runsv answered and its record was read */
  state: RunState | null
  /** ./run's or ./finish's pid while there is one, else null */
  pid: number | null
  /** unix seconds of the last state change (supervise/status) */
  since: number | null
  /** seconds in the present state, as sv status counts them */
  seconds: number | null
  paused: boolean | null
  /** the record's want byte: 'up' or 'down' (exit is recorded as down) */
  want: 'up' | 'down' | null
  gotTerm: boolean | null
  /** no ./down file */
  normallyUp: boolean | null
  /** readiness (notification-fd) of the running ./run: null when the service has none */
  ready: boolean | null
  /** restarts in supervise/deaths (runsv's record of the last max-death-tally deaths); null
   * without the record (runit's runsv, a log service, no death yet) */
  restarts: number | null
  /** the last recorded end of ./run (supervise/deaths): exit code (-1 when a signal ended it),
   * signal (0 when it exited), unix seconds of the end; null without a record */
  lastExit: { code: number, signal: number, at: number } | null
  /** CPU seconds (user + system) of the main process, from /proc/<pid>/stat */
  cpuSeconds: number | null
  /** resident memory of the main process in bytes, from /proc/<pid>/status */
  rssBytes: number | null
  /** the service's cgroup leaf, kept by runit-ts's runsv (null: runit's runsv, no cgroup2) */
  cgroup: GroupUsage | null
  /** sv status's words after the age: "normally down", "paused", "want up", … */
  flags: string[]
}

/** What a service's cgroup leaf holds: every process of it, not the main one only. */
export interface GroupUsage {
  path: string
  /** live processes in it and below */
  processes: number
  /** CPU seconds of every process that has been in it since runsv made it (cpu.stat) */
  cpuSeconds: number | null
  /** memory.current where the memory controller is on, else the sum of its processes' RSS */
  memoryBytes: number | null
}

export interface ServiceEntry extends ServiceFacts {
  /** the log service (log/ is a directory), or null */
  log: ServiceFacts | null
}

export interface Overview {
  version: typeof OVERVIEW_VERSION
  /** $SVDIR as sv used it */
  svdir: string
  /** sv's clock, unix seconds */
  time: number
  services: ServiceEntry[]
}

function blank (name: string, dir: string | null, error: string | null): ServiceFacts {
  return {
    name, dir, error, state: null, pid: null, since: null, seconds: null, paused: null, want: null, gotTerm: null,
    normallyUp: null, ready: null, restarts: null, lastExit: null, cpuSeconds: null, rssBytes: null, cgroup: null,
    flags: []
  }
}

/** The facts of one supervised directory (a service or its log/). */
function factsOf (name: string, paths: SvPaths, nowSec: number): ServiceFacts {
  const f = blank(name, paths.dir, null)
  try {
    if (!isSupervised(paths)) return { ...f, error: 'runsv not running' }
  } catch (err) {
    return { ...f, error: `unable to open supervise/ok: ${reason(err)}` }
  }
  let s
  try {
    s = readStatus(paths)
  } catch (err) {
    return { ...f, error: `unable to open supervise/status: ${reason(err)}` }
  }
  if (s === 'bad-format') return { ...f, error: 'unable to read supervise/status: bad format' }
  const normallyUp = !exists(paths.down)
  const pid = s.pid === 0 ? null : s.pid
  const hasReadiness = (() => { try { return notificationFd(paths) !== null } catch { return false } })()
  const usage = pid === null ? null : procUsage(pid)
  return {
    ...f,
    state: s.state,
    pid,
    since: s.when.sec,
    seconds: Math.max(0, nowSec - s.when.sec),
    paused: s.paused,
    want: s.want,
    gotTerm: s.gotTerm,
    normallyUp,
    ready: hasReadiness && s.state === 'run' && pid !== null ? isReady(paths, pid) : null,
    ...deathFacts(paths),
    cpuSeconds: usage?.cpuSeconds ?? null,
    rssBytes: usage?.rssBytes ?? null,
    cgroup: groupUsage(paths),
    flags: statusFlags(s, normallyUp)
  }
}

/** The cgroup leaf's usage, when a live runit-ts runsv names one in supervise/cgroup. */
function groupUsage (paths: SvPaths): GroupUsage | null {
  const leaf = ourRunsv(paths)?.cgroup
  if (leaf == null) return null
  const cg = new Cgroup(leaf)
  const procs = [cg, ...cg.below()].flatMap(c => c.procs())
  const usec = cg.cpuUsec()
  const rss = procs.reduce((sum, pid) => sum + (procUsage(pid)?.rssBytes ?? 0), 0)
  const cpuSeconds = usec === null ? null : usec / 1e6
  return { path: leaf, processes: procs.length, cpuSeconds, memoryBytes: cg.memoryBytes() ?? rss }
}

/** How many of the recorded deaths runsv followed with a restart, and the last one; null
 * without a record. */
function deathFacts (paths: SvPaths): Pick<ServiceFacts, 'restarts' | 'lastExit'> {
  try {
    if (!exists(paths.deaths)) return { restarts: null, lastExit: null }
    const deaths = readDeaths(paths)
    const last = deaths.at(-1)
    return {
      restarts: deaths.filter(d => d.next === 'restart').length,
      lastExit: last === undefined ? null : { code: last.code, signal: last.signal, at: last.ended.sec }
    }
  } catch {
    return { restarts: null, lastExit: null }
  }
}

function entryOf (name: string, svdir: string, cwd: string, nowSec: number): ServiceEntry {
  let paths: SvPaths
  try {
    paths = resolveService(name, svdir, cwd)
  } catch (err) {
    return { ...blank(name, null, `unable to change to service directory: ${reason(err)}`), log: null }
  }
  let log: ServiceFacts | null = null
  try {
    if (statSync(paths.log).isDirectory()) log = factsOf(`${name}/log`, servicePaths(paths.log), nowSec)
  } catch { /* no log service */ }
  return { ...factsOf(name, paths, nowSec), log }
}

/** The services of $SVDIR as runsvdir sees them: entries not starting with a dot, directories
 * (or links to one), by name. */
export function servicesIn (svdir: string, cwd: string): string[] {
  if (svdir === '') throw errnoError('ENOENT', 'empty SVDIR')
  const dir = svdir.startsWith('/') ? svdir : `${cwd}/${svdir}`
  return readdirSync(dir).filter(n => !n.startsWith('.')).filter(n => {
    try { return statSync(`${dir}/${n}`).isDirectory() } catch { return false }
  }).sort()
}

/** Everything sv list shows; `names` empty means every service of svdir. Throws when svdir
 * cannot be read. */
export function overview (names: readonly string[], svdir: string, cwd: string, nowSec: number): Overview {
  const list = names.length > 0 ? names : servicesIn(svdir, cwd)
  return { version: OVERVIEW_VERSION, svdir, time: nowSec, services: list.map(n => entryOf(n, svdir, cwd, nowSec)) }
}

/** How many services (or log services) could not be read: sv's exit code counts them. */
export function failures (o: Overview): number {
  return o.services.reduce((n, s) => n + (s.error !== null ? 1 : 0) + (s.log?.error != null ? 1 : 0), 0)
}

/** The JSON form: one line, fields in a fixed order. */
export function overviewJson (o: Overview): string {
  return JSON.stringify(o) + '\n'
}

// ---- the table ----

/** "45s", "12m03s", "3h04m", "2d05h": two units at most. */
export function formatDuration (sec: number): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  if (sec < 60) return `${sec}s`
  if (sec < 3600) return `${Math.floor(sec / 60)}m${p(sec % 60)}s`
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${p(Math.floor(sec / 60) % 60)}m`
  return `${Math.floor(sec / 86400)}d${p(Math.floor(sec / 3600) % 24)}h`
}

/** Bytes as "812K", "12.3M", "1.5G" (binary units). */
export function formatBytes (n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)}K`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)}M`
  return `${(n / 1024 / 1024 / 1024).toFixed(1)}G`
}

/** Colour only on a terminal, and never with NO_COLOR set to anything (no-color.org). */
export function wantColour (isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTty && (env.NO_COLOR ?? '') === ''
}

export const TABLE_HEADER = ['NAME', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'READY', 'CPU', 'MEM', 'FLAGS'] as const

const COLOUR = { run: '\x1b[32m', finish: '\x1b[33m', down: '\x1b[31m', error: '\x1b[31m', dim: '\x1b[2m', reset: '\x1b[0m' } as const

/** One row of the table as text (also the status page's cells, lib/svhttpd/page.ts). */
export function cells (f: ServiceFacts): string[] {
  const dash = (v: string | number | null): string => v === null ? '-' : String(v)
  // the whole service where its cgroup tells, else the main process
  const cpu = f.cgroup?.cpuSeconds ?? f.cpuSeconds
  const mem = f.cgroup?.memoryBytes ?? f.rssBytes
  return [
    f.name,
    f.state ?? '-',
    dash(f.pid),
    f.seconds === null ? '-' : formatDuration(f.seconds),
    dash(f.restarts),
    f.ready === null ? '-' : f.ready ? 'yes' : 'no',
    cpu === null ? '-' : `${cpu.toFixed(2)}s`,
    mem === null ? '-' : formatBytes(mem),
    f.error ?? f.flags.join(', ')
  ]
}

/** The aligned table: a header, one row per service and one per log service; colour (the state
 * word, errors) only when asked. */
export function overviewTable (o: Overview, colour: boolean): string {
  const facts = o.services.flatMap(s => s.log === null ? [s] : [s, s.log])
  const rows = [[...TABLE_HEADER], ...facts.map(cells)]
  const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map(r => r[i]!.length)))
  return rows.map((r, i) => {
    const f = i === 0 ? null : facts[i - 1]!
    return r.map((c, j) => {
      const padded = j === r.length - 1 ? c : c.padEnd(widths[j]!)
      if (!colour || f === null) return padded
      if (j === 1 && f.state !== null) return COLOUR[f.state] + padded + COLOUR.reset
      if (j === r.length - 1 && f.error !== null) return COLOUR.error + padded + COLOUR.reset
      return padded
    }).join('  ').trimEnd() + '\n'
  }).join('')
}
