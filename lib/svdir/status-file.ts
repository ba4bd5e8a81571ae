// supervise/{status,stat,pid}: published by runsv after every transition, read by sv and tests.

import { openSync, readSync, closeSync, readFileSync, fstatSync, statSync, constants, type BigIntStats } from 'node:fs'
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

/**
 * Identity of one published status file: runsv writes status.new and renames it over status, so
 * every publish (ours and runit's C runsv alike) changes the inode, and usually mtime/ctime too.
 * Two stamps differ iff a publish happened between them, except when two publishes reuse the
 * inode within one filesystem clock tick (sv then waits one more round).
 */
function stampOf (st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
}

/** The current status file's stamp, or null when it cannot be stat'ed. */
export function statusStamp (p: Pick<SvPaths, 'status'>): string | null {
  try {
    return stampOf(statSync(p.status, { bigint: true }))
  } catch {
    return null
  }
}

export interface StampedStatus {
  status: SvStatus | 'bad-format'
  /** identity of the file the record was read from (see statusStamp) */
  stamp: string
}

/**
 * readStatus plus the identity of the very file read (fstat on the same descriptor), so a reader
 * can tell whether the record was published after some earlier moment. Errors are thrown with
 * Node's `syscall` ('open', 'fstat' or 'read') telling which step failed.
 */
export function readStatusStamped (p: Pick<SvPaths, 'status'>): StampedStatus {
  const fd = openSync(p.status, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stamp = stampOf(fstatSync(fd, { bigint: true }))
    const buf = Buffer.alloc(STATUS_SIZE + 1)
    const n = readSync(fd, buf, 0, buf.length, null)
    return { status: decodeStatus(buf.subarray(0, n)) ?? 'bad-format', stamp }
  } finally {
    closeSync(fd)
  }
}
