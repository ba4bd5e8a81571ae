// supervise/event/, s6's fifodir: each listener makes a FIFO there and holds it open; runsv
// writes each transition's line to every FIFO with non-blocking opens and writes.
// Chosen over a socket runsv would listen on, or a log file listeners tail: runsv keeps nothing
// open and no timer while idle (a readdir only when something happens), any number of listeners,
// a dead listener's FIFO (ENXIO/EPIPE) is removed, a full one (EAGAIN: a listener that stopped
// reading for 64 KiB of lines) loses that line, and neither ever blocks runsv. Lines are shorter
// than PIPE_BUF, so each arrives whole and in order.

import { readdirSync, mkdirSync, openSync, writeSync, unlinkSync, renameSync, constants } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Socket } from 'node:net'
import { statIfExists, closeQuietly } from '../os/probe.js'
import { makeFifos, openFifoServer } from '../os/fifo.js'
import { errnoCode } from '../errors/errors.js'
import { formatEvent, parseEvent, type SvEvent } from '../protocol/events.js'
import type { SvPaths } from './layout.js'

/** runsv: writes the event to every listener; returns how many got it. Never blocks, never throws
 * for a listener's fault (only for an unreadable directory). */
export function notifyListeners (p: Pick<SvPaths, 'eventDir'>, ev: SvEvent): number {
  // A stat that does not throw first: most services have no listener, and a thrown ENOENT costs.
  if (statIfExists(p.eventDir) === undefined) return 0
  const line = Buffer.from(formatEvent(ev))
  let sent = 0
  for (const name of readdirSync(p.eventDir)) {
    if (name.startsWith('.')) continue // a FIFO being made, not yet open (subscribe)
    const path = join(p.eventDir, name)
    let fd: number
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch (err) {
      if (errnoCode(err) === 'ENXIO') unlinkQuietly(path) // nobody reads it: a dead listener
      continue
    }
    try {
      writeSync(fd, line)
      sent++
    } catch (err) {
      if (errnoCode(err) === 'EPIPE') unlinkQuietly(path)
      // EAGAIN: the listener's FIFO is full; this line is lost for it alone.
    } finally {
      closeQuietly(fd)
    }
  }
  return sent
}

function unlinkQuietly (path: string): void {
  try { unlinkSync(path) } catch { /* another runsv or the listener removed it */ }
}

/** The name prefix of a FIFO whose listener is bound to the service (`NAME bind`, while its run
 * is up): the service's stop looks for bound services only when one is there. */
export const BIND_TAG = 'bind'

/** Whether a listener bound to the service listens (one readdir; most services have no
 * supervise/event/ at all). */
export function hasBindListener (p: Pick<SvPaths, 'eventDir'>): boolean {
  try {
    return readdirSync(p.eventDir).some(n => n.startsWith(BIND_TAG + '.'))
  } catch {
    return false
  }
}

export interface Subscription {
  /** the FIFO's path */
  path: string
  /** stops listening and removes the FIFO (idempotent) */
  close: () => void
}

/** A listener: makes its FIFO in supervise/event/ (creating the directory) and calls onEvent for
 * each line, in order. Events from the moment this returns are seen. */
export function subscribe (p: Pick<SvPaths, 'eventDir'>, onEvent: (ev: SvEvent) => void, tag?: typeof BIND_TAG): Subscription {
  mkdirSync(p.eventDir, { recursive: true, mode: 0o700 })
  const name = `${tag === undefined ? '' : tag + '.'}${process.pid}.${randomBytes(4).toString('hex')}`
  const path = join(p.eventDir, name)
  // Made under a dot name and renamed once open (s6's ftrig1_make): a FIFO that nobody holds yet
  // would look like a dead listener's to runsv, which removes those.
  const tmp = join(p.eventDir, '.' + name)
  makeFifos([tmp])
  // Read and write: runsv closes after each line, and a reader alone would then see EOF.
  const fd = openFifoServer(tmp)
  try {
    renameSync(tmp, path)
  } catch (err) {
    closeQuietly(fd)
    unlinkQuietly(tmp)
    throw err
  }
  const sock = new Socket({ fd, readable: true, writable: false })
  let rest = ''
  sock.setEncoding('utf8')
  sock.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop() ?? ''
    for (const l of lines) {
      const ev = parseEvent(l)
      if (ev !== null) onEvent(ev)
    }
  })
  sock.on('error', () => { /* closed under us */ })
  let closed = false
  return {
    path,
    close: () => {
      if (closed) return
      closed = true
      sock.destroy()
      unlinkQuietly(path)
    }
  }
}
