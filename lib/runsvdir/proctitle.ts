// runsvdir's optional "log" argument (runsvdir(8), DESCRIPTION): everything written to runsvdir's
// stderr and its runsvs' (and their services') scrolls through the log argument of the command
// line (lib/os/title.ts), readproctitle-style, so `ps` shows the latest errors. A "." is added at
// start and every 15 minutes as a sign of life.

import { mkdtempSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Socket } from 'node:net'
import { makePipe } from '../os/pipe.js'
import { closeQuietly } from '../os/probe.js'
import { setArgv, type Arg } from '../os/title.js'

/** runit refuses shorter log arguments. */
export const MIN_LOG_LENGTH = 7
/** leading bytes of the log argument that never scroll (conventionally "log: ") */
export const KEEP = 5
export const DOT_INTERVAL_MS = 15 * 60 * 1000

/**
 * PURE: the window after `input` arrived. Every byte except NUL enters at the end; the bytes after
 * the first KEEP move left by one per byte, dropping the oldest (runit's in-place argv scroll).
 */
export function scroll (window: Buffer, input: Buffer): Buffer {
  const bytes = input.includes(0) ? Buffer.from(input.filter(b => b !== 0)) : input
  const room = window.length - KEEP
  if (room <= 0 || bytes.length === 0) return window
  const tail = Buffer.concat([window.subarray(KEEP), bytes])
  return Buffer.concat([window.subarray(0, KEEP), tail.subarray(tail.length - room)])
}

/**
 * PURE: the command line for a window: `argv` (runit's, "runsvdir -P /etc/service log: …") with
 * the log argument, at index `at`, replaced by the window's bytes as they are (runit scrolls them
 * through that argv string in place; argv[0] stays "runsvdir").
 */
export function render (argv: readonly string[], at: number, window: Buffer): Arg[] {
  return argv.map((a, i): Arg => i === at ? window : a)
}

export interface LogTitle {
  /** descriptor to give runsv children as stderr (the write end of the log pipe) */
  readonly stderrFd: number
  /** appends runsvdir's own diagnostics */
  write: (text: string | Buffer) => void
  /** stops the dot timer and closes the pipe; the title keeps its last text */
  close: () => void
}

export interface LogTitleOptions {
  /** runit's command line as given: "runsvdir", its arguments, the log among them */
  argv: readonly string[]
  /** where the log argument (at least MIN_LOG_LENGTH bytes) is in argv */
  at: number
}

/**
 * Creates the log pipe and starts showing it in the title. Node has no pipe(2): the pipe is made
 * through a FIFO in a fresh private directory (lib/os/pipe.ts), removed at once.
 * Throws when the pipe cannot be made (runit: "unable to create pipe for log.").
 */
export function startLogTitle (opts: LogTitleOptions): LogTitle {
  const tmp = mkdtempSync(join(tmpdir(), 'runsvdir-log-'))
  let pipe
  try {
    pipe = makePipe(join(tmp, 'pipe'))
  } finally {
    try { rmdirSync(tmp) } catch { /* left for tmp cleaners */ }
  }
  let window: Buffer = Buffer.from(opts.argv[opts.at] ?? '')
  // runit's command line always fits: the area held Node's name and the script's path as well.
  const show = (): void => { setArgv(render(opts.argv, opts.at, window)) }
  const write = (data: string | Buffer): void => {
    const next = scroll(window, typeof data === 'string' ? Buffer.from(data) : data)
    if (next === window) return
    window = next
    show()
  }
  const reader = new Socket({ fd: pipe.readFd, readable: true, writable: false })
  reader.on('data', (chunk: Buffer) => { write(chunk) })
  reader.on('error', () => { /* the pipe's read end failed: the title stops scrolling */ })
  // The pipe must not keep runsvdir alive once it is done.
  reader.unref()
  write('.')
  const dots = setInterval(() => { write('.') }, DOT_INTERVAL_MS)
  dots.unref()
  let closed = false
  return {
    stderrFd: pipe.writeFd,
    write,
    close: () => {
      if (closed) return
      closed = true
      clearInterval(dots)
      reader.destroy()
      closeQuietly(pipe.writeFd)
    }
  }
}
