// FIFOs: Node has no mkfifo(2), so create them with mkfifo(1) in one spawn for all paths.
// Existing paths are left alone (runit ignores EEXIST too); callers check the type afterwards.

import { lstatSync, openSync, constants } from 'node:fs'
import { errnoCode } from '../errors/errors.js'

/** Creates every missing FIFO in `paths` with mode 0600; one process for all of them. */
export function makeFifos (paths: readonly string[]): void {
  if (paths.length === 0) return
  // Fetched here, not imported: readers of this file (sv status) then never load child_process.
  const { spawnSync } = process.getBuiltinModule('node:child_process')
  spawnSync('mkfifo', ['-m', '600', '--', ...paths], { stdio: 'ignore' })
}

export function isFifo (path: string): boolean {
  try {
    return lstatSync(path).isFIFO()
  } catch {
    return false
  }
}

/** Opens a FIFO read+write and non-blocking: it never reports EOF and never blocks writers' opens. */
export function openFifoServer (path: string): number {
  return openSync(path, constants.O_RDWR | constants.O_NONBLOCK)
}

/** Opens a FIFO read-only non-blocking (supervise/ok: held, never read). */
export function openFifoReader (path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
}

/**
 * Opens a FIFO for writing without blocking. Returns 'no-reader' when nobody holds the read end
 * (ENXIO: that is how sv tells runsv is not running); other errors are thrown.
 */
export function openFifoWriter (path: string): number | 'no-reader' {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
  } catch (err) {
    if (errnoCode(err) === 'ENXIO') return 'no-reader'
    throw err
  }
}
