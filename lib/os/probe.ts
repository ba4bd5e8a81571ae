// File-system calls whose expected failure is an answer: a stat that says "nothing there" without
// throwing (a thrown ENOENT costs Node 35-180 µs, and most probed files do not exist), and a close
// that ignores a descriptor already closed.

import { statSync, closeSync, type Stats } from 'node:fs'

/** stat(2) of path, or undefined when nothing is there (ENOENT); other errors are thrown. */
export function statIfExists (path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false })
}

/** close(2), ignoring failure: for descriptors that may already be closed (EBADF). */
export function closeQuietly (fd: number): void {
  try { closeSync(fd) } catch { /* already closed */ }
}
