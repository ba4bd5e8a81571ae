// PURE: one scan of runsvdir's directory as a diff of the known services against the entries just
// read, keyed by the (device, inode) of what each entry points to (runsvdir(8), DESCRIPTION).
// No fs, no processes: the loop stats, this file decides, the loop starts and stops runsv.

/** runit's table size: entries beyond it are refused with a warning. */
export const MAX_SERVICES = 1000

/** Identity of a service: "<dev>:<ino>" of the directory a name resolves to. */
export type ServiceId = string

/** One directory entry as stat() (following symlinks) saw it. */
export type Seen =
  | { name: string, kind: 'dir', id: ServiceId }
  /** a regular file, a symlink to one, a FIFO…: not a service */
  | { name: string, kind: 'other' }
  /** stat() failed (a dangling symlink, a permission problem) */
  | { name: string, kind: 'error', error: unknown }

/**
 * What the loop knows of a service, as far as a scan cares:
 * 'up' a runsv is running; 'down' none is, and one may start now; 'held' none is, but not yet
 * (the restart delay after a runsv died).
 */
export type RunsvState = 'up' | 'down' | 'held'

export interface ScanInput {
  known: ReadonlyMap<ServiceId, RunsvState>
  /** services removed earlier whose runsv was told to stop and has not exited yet */
  retiring: ReadonlySet<ServiceId>
  seen: readonly Seen[]
  limit?: number
}

export interface Start {
  id: ServiceId
  /** the name this scan found it under (the first, when several names lead to it) */
  name: string
  /** not in the table yet */
  isNew: boolean
}

export interface Warning {
  msg: string
  err?: unknown
}

export interface ScanPlan {
  /** start a runsv for each, in readdir order */
  start: Start[]
  /** known services no longer in the directory: TERM their runsv (if up) and forget them */
  remove: ServiceId[]
  warnings: Warning[]
  /** something changed or is waiting: look again at the short interval (runit's `check`) */
  recheck: boolean
}

/** runsvdir ignores names starting with a dot (runit's own .forced-rescan, our lock, editors'). */
export function isCandidate (name: string): boolean {
  return !name.startsWith('.')
}

export function diff (input: ScanInput): ScanPlan {
  const limit = input.limit ?? MAX_SERVICES
  const plan: ScanPlan = { start: [], remove: [], warnings: [], recheck: false }
  const present = new Set<ServiceId>()
  for (const e of input.seen) {
    if (e.kind === 'dir' && input.known.has(e.id)) present.add(e.id)
  }
  // Services staying in the table; new ones are admitted while it has room.
  let size = present.size
  const taken = new Set<ServiceId>()
  for (const e of input.seen) {
    if (!isCandidate(e.name)) continue
    if (e.kind === 'error') {
      plan.warnings.push({ msg: `unable to stat ${e.name}`, err: e.error })
      continue
    }
    if (e.kind === 'other') continue
    // Two names for one directory: one runsv, under the name seen first (runit).
    if (taken.has(e.id)) continue
    taken.add(e.id)
    const state = input.known.get(e.id)
    if (state !== undefined) {
      if (state === 'down') {
        plan.start.push({ id: e.id, name: e.name, isNew: false })
        plan.recheck = true
      }
      continue
    }
    if (input.retiring.has(e.id)) {
      // Its previous runsv still stops (it holds supervise/lock); start anew once it has exited.
      plan.recheck = true
      continue
    }
    if (size >= limit) {
      plan.warnings.push({ msg: `unable to start runsv ${e.name}: too many services.` })
      continue
    }
    size++
    plan.start.push({ id: e.id, name: e.name, isNew: true })
    plan.recheck = true
  }
  for (const id of input.known.keys()) {
    if (!present.has(id)) {
      plan.remove.push(id)
      plan.recheck = true
    }
  }
  return plan
}
