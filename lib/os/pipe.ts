// An anonymous pipe for runsv's log: Node has no pipe(2), so make a FIFO, open both ends, unlink it.
// The descriptors then name a pipe nobody else can open, exactly like pipe(2)'s, and both ends
// are in blocking mode (the reader is opened while a read-write descriptor guarantees a writer),
// so log/run and ./run see an ordinary blocking pipe. libuv opens files close-on-exec, so children
// only get the end they are given.

import { openSync, closeSync, unlinkSync, constants } from 'node:fs'
import { errnoError } from '../errors/errors.js'
import { makeFifos, isFifo } from './fifo.js'

export interface Pipe {
  readFd: number
  writeFd: number
}

/** Creates a pipe through a temporary FIFO at `tmpPath` (made here unless it is one already;
 * removed before returning). */
export function makePipe (tmpPath: string): Pipe {
  if (!isFifo(tmpPath)) {
    try { unlinkSync(tmpPath) } catch { /* no leftover */ }
    makeFifos([tmpPath])
  }
  if (!isFifo(tmpPath)) throw errnoError('EIO', `cannot create ${tmpPath}`)
  const holder = openSync(tmpPath, constants.O_RDWR | constants.O_NONBLOCK)
  try {
    const readFd = openSync(tmpPath, constants.O_RDONLY)
    const writeFd = openSync(tmpPath, constants.O_WRONLY)
    return { readFd, writeFd }
  } finally {
    closeSync(holder)
    unlinkSync(tmpPath)
  }
}

/** Closes both ends; an end already closed is no error. */
export function closePipe (pipe: Pipe): void {
  for (const fd of [pipe.writeFd, pipe.readFd]) {
    try { closeSync(fd) } catch { /* already closed */ }
  }
}
