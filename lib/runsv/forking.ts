// Forking daemons (Upstart's `expect fork`/`expect daemon`, systemd's Type=forking + PIDFile=;
// runsv(8), FORKING DAEMONS): with a `pidfile` file in the service directory, a ./run that exits 0
// after starting a daemon does not end the run: runsv adopts the daemon (the pid its pid file
// names, or the one process left in the service's cgroup), publishes its pid, signals it on d, t
// and x, and learns its end as a subreaper, with the real exit status, core flag included.
// Only services with the file load the FFI (prctl, waitpid); runit's `fghack` is what it replaces.

import { join } from 'node:path'
import { readOptional, readOptionalOrSay } from '../svdir/optional-file.js'
import { exists } from '../os/probe.js'
import { processStartSeconds } from '../os/proc.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'
import type { ServiceGroup } from './service-group.js'

/** How long after ./run's exit its daemon may take to write its pid file or be found. */
export const DAEMON_WAIT_MS = 5000
const POLL_MS = 20

/** The `pidfile` file: null without it; else the daemon's pid file (absolute), or '' for "the one
 * process left in the service's cgroup". */
export function readPidfileSetting (paths: Pick<SvPaths, 'pidfile' | 'dir'>, say: Say): string | null {
  const text = readOptionalOrSay(paths.pidfile, 'pidfile', say)
  if (text === null) return null
  const first = text.split('\n')[0]!.trim()
  return first === '' ? '' : join(paths.dir, first)
}

/** Cheap check at start: whether the service may need adoption (and so the FFI). */
export function wantsAdoption (paths: Pick<SvPaths, 'pidfile'>): boolean {
  return exists(paths.pidfile)
}

type Reaped = (code: number | null, signal: number, core: boolean) => void

/** Every adopted daemon of this process, by pid: one reaper serves all supervisors of a process
 * (runsvdir -1), and each daemon's end goes to its own. */
const adopted = new Map<number, Reaped>()
let reaper: Promise<void> | undefined

/**
 * Makes this process a subreaper and notes, from now on, every child Node spawns (they stay
 * libuv's to reap). Call before the first spawn of a service that may need adoption: a child
 * spawned before it would look like an orphan to the reaper.
 */
export async function becomeSubreaper (): Promise<void> {
  reaper ??= (async () => {
    const { setChildSubreaper } = await import('../os/ffi.js')
    const { startReaper } = await import('../os/reaper.js')
    setChildSubreaper()
    startReaper(s => {
      const done = adopted.get(s.pid)
      if (done === undefined) return // an orphan of some service: reaped, nothing more
      adopted.delete(s.pid)
      done(s.code, s.signal ?? 0, s.core)
    })
  })()
  await reaper
}

/** Calls `onEnd` once the adopted `pid` has ended (it is reaped by this process). */
export function followDaemon (pid: number, onEnd: Reaped): { release: () => void } {
  adopted.set(pid, onEnd)
  // Gone already, and reaped before it was registered: it ended with no status to tell.
  if (processStartSeconds(pid) === null && adopted.get(pid) === onEnd) {
    adopted.delete(pid)
    queueMicrotask(() => { onEnd(null, 0, false) })
  }
  return { release: () => { if (adopted.get(pid) === onEnd) adopted.delete(pid) } }
}

/**
 * The daemon ./run left: the live pid its pid file names (and, with a cgroup, one of the
 * service's), or, without a pid file, the one process left in the service's cgroup (else the one
 * child of this process Node did not spawn). Waits up to DAEMON_WAIT_MS; null when there is none.
 */
export async function findDaemon (setting: string, group: ServiceGroup): Promise<number | null> {
  const end = Date.now() + DAEMON_WAIT_MS
  for (;;) {
    const pid = setting === '' ? await single(group) : fromPidFile(setting, group)
    if (pid !== null) return pid
    if (Date.now() >= end) return null
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}

function fromPidFile (path: string, group: ServiceGroup): number | null {
  let text: string
  try {
    text = readOptional(path) ?? '' // not there yet: the daemon writes it as it starts
  } catch {
    return null
  }
  const pid = Number.parseInt(text.trim(), 10)
  if (!(pid > 1) || processStartSeconds(pid) === null) return null
  if (group.cgroup !== null && !group.cgroup.procs().includes(pid)) return null
  return pid
}

async function single (group: ServiceGroup): Promise<number | null> {
  let live: number[]
  if (group.cgroup !== null) {
    live = group.cgroup.procs()
  } else {
    const { childPids, ownedByNode } = await import('../os/reaper.js')
    live = childPids().filter(p => !ownedByNode(p))
  }
  live = live.filter(p => processStartSeconds(p) !== null)
  return live.length === 1 ? live[0]! : null
}
