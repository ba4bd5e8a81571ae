// What ps shows for this process: its name (/proc/PID/comm, what pidof, pgrep -x and killall
// match) and its command line (/proc/PID/cmdline, ps's args).
//
// Mechanism (Linux): the kernel shows as cmdline the bytes between arg_start and arg_end (fields
// 48 and 49 of /proc/self/stat), the memory that held the original argv. Writing argv strings
// there through /proc/self/mem, NUL-separated and padded with NULs, gives runit's command line
// ("runsv\0cron\0", which ps shows as "runsv cron"); writing /proc/self/comm sets the name. The
// area always holds the new text at start ("node\0/path/bin/runsv.js\0cron\0" was there), and
// anything longer is cut to its length minus one, as libuv cuts titles: its last byte must stay
// NUL, or the kernel takes the area for one setproctitle(3) string and stops at the first NUL.
//
// Why not Node's process.title: libuv writes the title as ONE string, and sets comm to its first
// 15 bytes (prctl PR_SET_NAME), so "runsv cron" is neither argv[0] "runsv" nor comm "runsv", and
// pidof and pgrep -x find nothing. Node has no prctl(2) without a native addon.
//
// Fallback where /proc/self/mem cannot be written (no /proc, a kernel that refuses it):
// process.title, the arguments joined by spaces (bytes outside ASCII shown as "?", since the title
// is UTF-8). Where /proc/self/comm cannot be written, comm stays what the fallback or Node left.
//
// Cost (Node 20, test machine): a full set, stat read and both writes, 25-45 µs; no child
// processes, no timers, no descriptor kept open.

import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'

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
    const stat = readFileSync('/proc/self/stat', 'latin1')
    // The name in parentheses may hold spaces and ')': fields count from after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const start = Number(fields[48 - 3])
    const end = Number(fields[49 - 3])
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end) && start > 0 && end > start) area = { start, length: end - start }
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
