// Readiness as s6 has it (notification-fd): runsv records in supervise/ready "<pid> starting"
// when it starts a run with a notification-fd, before the run's status record, and
// "<pid> ready" once the run wrote its newline. sv's start, check and -v then wait for "ready"
// as well as for ./check. A file naming another pid, or none, means the run was started by a
// runsv that knows no readiness (runit's, which has neither file): sv then judges as runit's.

import { readFileSync } from 'node:fs'
import { readOptional, parseDecimal } from './optional-file.js'
import { writeAtomic } from '../os/atomic-write.js'
import type { SvPaths } from './layout.js'

export const MAX_NOTIFICATION_FD = 1023

/** The descriptor notification-fd names: null without the file, NaN when it holds no number
 * from 3 to MAX_NOTIFICATION_FD (runsv says so; the run then gets none). Throws read errors. */
export function notificationFd (p: Pick<SvPaths, 'notificationFd'>): number | null {
  const text = readOptional(p.notificationFd)
  if (text === null) return null
  const n = parseDecimal(text) ?? Number.NaN
  return n >= 3 && n <= MAX_NOTIFICATION_FD ? n : Number.NaN
}

/** runsv: run `pid` has started (before its status record) or said it is ready. */
export function writeReadiness (p: Pick<SvPaths, 'ready' | 'tmp'>, pid: number, ready: boolean): void {
  writeAtomic(p.ready, p.tmp(p.ready), `${pid} ${ready ? 'ready' : 'starting'}\n`)
}

/** sv: false only while run `pid` of a service with a notification-fd has not said it is ready. */
export function isReady (p: Pick<SvPaths, 'notificationFd' | 'ready'>, pid: number): boolean {
  try {
    const fd = notificationFd(p)
    if (fd === null || Number.isNaN(fd)) return true // no readiness, as runsv then gives no fd
    const text = readFileSync(p.ready, 'utf8')
    return !text.startsWith(`${pid} `) || text === `${pid} ready\n`
  } catch {
    return true // no supervise/ready: a runsv without readiness (runit's)
  }
}
