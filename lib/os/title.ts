// The process title as ps and /proc/PID/cmdline show it. Node's process.title (libuv) rewrites
// the original argv memory in place on Linux, so /proc/PID/cmdline shows the new text, padded
// with NULs to the old length. The title can never grow: libuv cuts it to the bytes the original
// command line occupied (every argv string with its NUL, Node's own options included) minus one.
// Fallback where /proc is missing: the same sum computed from process.argv (may over-estimate by
// the difference between the typed script path and the resolved one; libuv then truncates).

import { readFileSync } from 'node:fs'

let capacity: number | undefined

/** Bytes a title may have (the original command line's length minus its final NUL). */
export function titleCapacity (): number {
  if (capacity === undefined) {
    try {
      capacity = readFileSync('/proc/self/cmdline').length - 1
    } catch {
      const args = [process.argv0, ...process.execArgv, ...process.argv.slice(1)]
      capacity = args.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) - 1
    }
  }
  return capacity
}

/** Sets the title; text longer than titleCapacity() is cut by libuv. Call titleCapacity() first. */
export function setTitle (text: string): void {
  titleCapacity() // measure before the first change, while /proc still shows the original
  process.title = text
}
