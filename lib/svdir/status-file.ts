// supervise/{status,stat,pid}: published by runsv after every transition, read by sv and tests.

import { openSync, readSync, closeSync, readFileSync, constants } from 'node:fs'
import { writeAtomic } from '../os/atomic-write.js'
import { STATUS_SIZE, decodeStatus, type SvStatus } from '../protocol/status.js'
import type { SvPaths } from './layout.js'

export interface Record {
  /** new pid file text, or undefined when the pid did not change */
  pid?: string
  stat: string
  status: Buffer
}

/** Publishes one record in runit's order: pid (if changed), stat, status; each write-then-rename. */
export function publishRecord (p: Pick<SvPaths, 'pid' | 'stat' | 'status' | 'tmp'>, r: Record): void {
  if (r.pid !== undefined) writeAtomic(p.pid, p.tmp(p.pid), r.pid)
  writeAtomic(p.stat, p.tmp(p.stat), r.stat)
  writeAtomic(p.status, p.tmp(p.status), r.status)
}

/** "<pid>\n" while a process exists, empty otherwise (runsv(8)). */
export function pidFileText (pid: number): string {
  return pid === 0 ? '' : `${pid}\n`
}

/**
 * Reads supervise/status the way sv does: one read of up to 20 bytes.
 * Returns the decoded record, or 'bad-format' for a short or long file; throws on open/read errors.
 */
export function readStatus (p: Pick<SvPaths, 'status'>): SvStatus | 'bad-format' {
  const fd = openSync(p.status, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const buf = Buffer.alloc(STATUS_SIZE + 1)
    const n = readSync(fd, buf, 0, buf.length, null)
    return decodeStatus(buf.subarray(0, n)) ?? 'bad-format'
  } finally {
    closeSync(fd)
  }
}

export function readStat (p: Pick<SvPaths, 'stat'>): string {
  return readFileSync(p.stat, 'utf8')
}
