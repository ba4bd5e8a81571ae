// Readiness as s6 has it (notification-fd): runsv records in supervise/ready the pid of the run
// that wrote its newline; sv's start, check and -v then wait for it as well as for ./check.
// runit has neither file, and its sv ignores them.

import { readFileSync, statSync, unlinkSync } from 'node:fs'
import { writeAtomic } from '../os/atomic-write.js'
import type { SvPaths } from './layout.js'

export const MAX_NOTIFICATION_FD = 1023

/** The descriptor notification-fd names: null without the file, NaN when it holds no number
 * from 3 to MAX_NOTIFICATION_FD (runsv says so; the run then gets none). Throws read errors. */
export function notificationFd (p: Pick<SvPaths, 'notificationFd'>): number | null {
  if (statSync(p.notificationFd, { throwIfNoEntry: false }) === undefined) return null
  const text = readFileSync(p.notificationFd, 'utf8')
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
  return n >= 3 && n <= MAX_NOTIFICATION_FD ? n : Number.NaN
}

/** runsv: this run said it is ready. */
export function markReady (p: Pick<SvPaths, 'ready' | 'tmp'>, pid: number): void {
  writeAtomic(p.ready, p.tmp(p.ready), `${pid}\n`)
}

/** runsv: a new run has not said so yet. */
export function clearReady (p: Pick<SvPaths, 'ready'>): void {
  try { unlinkSync(p.ready) } catch { /* none */ }
}

/** sv: true unless the service uses notification-fd and run `pid` has not said it is ready. */
export function isReady (p: Pick<SvPaths, 'notificationFd' | 'ready'>, pid: number): boolean {
  try {
    const fd = notificationFd(p)
    if (fd === null || Number.isNaN(fd)) return true // no readiness, as runsv then gives no fd
    return readFileSync(p.ready, 'utf8') === `${pid}\n`
  } catch {
    return false
  }
}
