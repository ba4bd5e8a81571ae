// What ps shows for this process: its name (/proc/PID/comm, which pidof, pgrep -x and killall
// match) and its command line, written NUL-separated into the original argv memory through
// /proc/self/mem. Node's process.title writes one string and sets comm to its first 15 bytes,
// so "runsv cron" would be neither argv[0] "runsv" nor comm "runsv". Why and how, and the
// fallback (process.title): doc/DESIGN.md, "Process names".

import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { procStat } from './proc.js'

export type Arg = string | Buffer

interface ArgArea {
  /** address of argv[0] in this process (a Number: a BigInt position makes the write fail, EIO) */
  start: number
  /** bytes from argv[0] to the end of the last argument's NUL */
  length: number
}

let area: ArgArea | null | undefined

/** The argv area, read once (it never moves); null where /proc does not tell. */
function argArea (): ArgArea | null {
  if (area !== undefined) return area
  area = null
  try {
    const { argStart: start, argEnd: end } = procStat()
    const known = Number.isSafeInteger(start) && Number.isSafeInteger(end) && start > 0 && end > start
    if (known) area = { start, length: end - start }
  } catch { /* no /proc */ }
  return area
}

/** Bytes a command line may have, the NULs between arguments included (the area minus its last NUL). */
export function argvCapacity (): number {
  const a = argArea()
  if (a !== null) return a.length - 1
  // Where /proc is missing: the same sum from process.argv (libuv cuts the title to its own count).
  const args = [process.argv0, ...process.execArgv, ...process.argv.slice(1)]
  return args.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0) - 1
}

/** The area's new content: args NUL-separated, cut to leave the last byte NUL, NUL-padded. */
export function argvBytes (args: readonly Arg[], length: number): Buffer {
  const out = Buffer.alloc(length)
  let at = 0
  for (const arg of args) {
    if (at >= length - 1) break
    at += (typeof arg === 'string' ? Buffer.from(arg) : arg).copy(out, at, 0, Math.max(0, length - 1 - at)) + 1
  }
  return out
}

/** process.title's text for args: joined by spaces, one character per byte of a Buffer. */
export function titleText (args: readonly Arg[]): string {
  return args.map(a => {
    if (typeof a === 'string') return a
    let s = ''
    for (const b of a) s += b < 0x80 ? String.fromCharCode(b) : '?'
    return s
  }).join(' ')
}

/** Sets the command line ps shows: how it was done ('argv' in place, or the 'title' fallback). */
export function setArgv (args: readonly Arg[]): 'argv' | 'title' {
  const a = argArea()
  if (a !== null) {
    try {
      const fd = openSync('/proc/self/mem', 'r+')
      try {
        writeSync(fd, argvBytes(args, a.length), 0, a.length, a.start)
        return 'argv'
      } finally {
        closeSync(fd)
      }
    } catch { /* refused: the fallback */ }
  }
  process.title = titleText(args)
  return 'title'
}

/** Sets the process name (comm; the kernel keeps its first 15 bytes). False where refused. */
export function setName (name: string): boolean {
  try {
    writeFileSync('/proc/self/comm', name)
    return true
  } catch {
    return false
  }
}

/** Shows this process as runit's `name` run with `args`: comm `name`, command line `name args…`. */
export function showAs (name: string, args: readonly Arg[]): void {
  setArgv([name, ...args]) // first: the fallback (process.title) sets comm too
  setName(name)
}
