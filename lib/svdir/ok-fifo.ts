// supervise/ok: runsv holds its read end; "runsv is running" iff a non-blocking write-open succeeds.

import { closeSync } from 'node:fs'
import { openFifoReader, openFifoWriter } from '../os/fifo.js'
import type { SvPaths } from './layout.js'

/** runsv side: keep the read end open for the supervisor's lifetime. */
export function holdOk (p: Pick<SvPaths, 'ok'>): number {
  return openFifoReader(p.ok)
}

/** sv side: true iff a runsv holds supervise/ok; throws on errors other than ENXIO (e.g. ENOENT). */
export function isSupervised (p: Pick<SvPaths, 'ok'>): boolean {
  const fd = openFifoWriter(p.ok)
  if (fd === 'no-reader') return false
  closeSync(fd)
  return true
}
