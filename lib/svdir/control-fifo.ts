// supervise/control: runsv reads letters from it; clients write letters into it.

import { closeSync, writeSync } from 'node:fs'
import { Socket } from 'node:net'
import { errnoError } from '../errors/errors.js'
import { openFifoServer, openFifoWriter } from '../os/fifo.js'
import type { SvPaths } from './layout.js'

export interface ControlReader {
  close: () => void
}

/**
 * runsv side: reads supervise/control and hands every byte to `onByte`, in order.
 * Read through a net.Socket on the raw fd: libuv polls it, unlike fs streams, which would tie up
 * a thread-pool thread per FIFO. Opened read-write so it never reports EOF between writers.
 */
export function openControl (p: Pick<SvPaths, 'control'>, onByte: (c: string) => void): ControlReader {
  const fd = openFifoServer(p.control)
  const sock = new Socket({ fd, readable: true, writable: false })
  sock.on('data', (chunk: Buffer) => {
    for (const byte of chunk) onByte(String.fromCharCode(byte))
  })
  sock.on('error', () => { /* a FIFO read error leaves the supervisor running without control */ })
  return { close: () => { sock.destroy() } }
}

export type SendResult = 'sent' | 'not-running'

/** Client side: writes `letters` (latin1: a signal request's bytes lie above ASCII) in one
 * write(); 'not-running' when no runsv reads (ENXIO). */
export function sendControl (p: Pick<SvPaths, 'control'>, letters: string): SendResult {
  const fd = openFifoWriter(p.control)
  if (fd === 'no-reader') return 'not-running'
  try {
    const bytes = Buffer.from(letters, 'latin1')
    const n = writeSync(fd, bytes)
    if (n !== bytes.length) throw errnoError('EAGAIN', 'partial write')
    return 'sent'
  } finally {
    closeSync(fd)
  }
}
