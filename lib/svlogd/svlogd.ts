// svlogd's engine: reads standard input in large chunks, splits lines, stamps, selects and
// dispatches them to the log directories, and serves TERM, HUP, ALRM and the t-line timers.
// Events are queued and handled one at a time; signal handlers (in cli) only call signal().
//
// Per line, runit's rules (svlogd(8), OPTIONS): the stamp is the time the line's first byte
// was read (one stamp per chunk read, to the microsecond as runit's); -r/-R replace bytes in the first
// -l len bytes, which are what patterns, stderr and UDP see ("..." added when len bytes were
// taken); the rest of a longer line goes to current unaltered. Differences (svlogd(8),
// DIFFERENCES FROM RUNIT 2.1.2): a last line without a newline is written at EOF and on TERM
// (with a newline added), and on TERM the bytes already in the pipe are read and written before
// exiting.

import { resolve } from 'node:path'
import { SysError } from '../errors/errors.js'
import { wallMicros, taiFromMicros, formatLogStamp, type LogStampStyle } from '../protocol/tai64.js'
import { readChunks, type ChunkReader } from '../os/chunk-reader.js'
import { select, type Selection } from './pattern.js'
import { LogDir } from './logdir.js'
import type { DirContext, Report } from './processor.js'

export type { Report } from './processor.js'

export interface SvlogdOptions {
  /** log directories as given */
  dirs: string[]
  /** base for relative directories */
  cwd: string
  /** -t, -tt, -ttt, or none */
  stamp: LogStampStyle | null
  /** -l len */
  lineMax: number
  /** -b buflen: the smallest read size (reads are at least READ_SIZE) */
  bufLen: number
  /** -r c / -R xyz: the replacement byte and the extra bytes to replace; null = no replacing */
  replace: { with: number, extra: Uint8Array } | null
  verbose: boolean
  /** descriptor to read (0) */
  input: number
  report: Report
  /** writes lines selected for standard error (e/E patterns) */
  echo: (bytes: Buffer) => void
}

/** Reads are this large at least: few system calls per megabyte. */
export const READ_SIZE = 256 * 1024
/** Runit's pause before retrying a failed write, rename, fsync… */
export const PAUSE_MS = 3000
/** Input queued beyond this while a write is being retried stops reading (backpressure). */
const QUEUE_HIGH = 4 * 1024 * 1024
/** On TERM, at most this much more input is read from the pipe before exiting. */
const TERM_DRAIN_MAX = 16 * 1024 * 1024

const NL = Buffer.from('\n')
const DOTS = Buffer.from('...')
const UDP_FAILURE = Buffer.from('warning: failure sending through udp: ')
const EMPTY = Buffer.alloc(0)

type Event =
  | { kind: 'data', chunk: Buffer, us: number }
  | { kind: 'end', err: Error | null }
  | { kind: 'term' }
  | { kind: 'hup' }
  | { kind: 'alrm' }
  | { kind: 'timer' }
  | { kind: 'note', dir: LogDir, text: Buffer }

export type SignalName = 'term' | 'hup' | 'alrm'

export class Svlogd {
  private readonly dirs: LogDir[]
  private readonly ctx: DirContext
  private readonly queue: Event[] = []
  private queuedBytes = 0
  private wake: (() => void) | null = null
  private reader: ChunkReader | null = null
  private readerPaused = false
  private stopping = false
  private readonly stopWaiters = new Set<() => void>()
  private timer: NodeJS.Timeout | null = null

  // the line being read
  private head: Buffer
  private headLen = 0
  private inTail = false
  private lineStamp: Buffer = EMPTY
  // stamp cache
  private stampUs = -1
  private stamp: Buffer = EMPTY
  private readonly replaceTable: Uint8Array | null
  private readonly sel: Selection = { match: '+', matcherr: 'E' }
  private echoParts: Buffer[] = []

  constructor (private readonly opts: SvlogdOptions) {
    this.head = Buffer.alloc(opts.lineMax)
    this.replaceTable = opts.replace === null ? null : replacementTable(opts.replace.with, opts.replace.extra)
    this.ctx = {
      report: opts.report,
      verbose: opts.verbose,
      pause: (ms = PAUSE_MS) => this.pause(ms),
      stopping: () => this.stopping
    }
    this.dirs = opts.dirs.map(d => new LogDir(d, resolve(opts.cwd, d), opts.lineMax, this.ctx))
  }

  /** Called from signal handlers: queue the signal (TERM also cuts retry pauses short). */
  signal (sig: SignalName): void {
    if (this.opts.verbose) this.opts.report.info(`sig${sig === 'term' ? 'term' : sig === 'hup' ? 'hangup' : 'alarm'} received.`)
    if (sig === 'term') {
      this.stopping = true
      for (const w of this.stopWaiters) w()
    }
    this.push({ kind: sig })
  }

  /** Runs until EOF or TERM; rejects with SysError when no log directory can be used. */
  async run (): Promise<void> {
    try {
      await this.openAll()
      this.reader = readChunks(this.opts.input, Math.max(READ_SIZE, this.opts.bufLen), {
        // The time of the read: the stamp of the lines starting in this chunk.
        data: (chunk) => { this.push({ kind: 'data', chunk, us: wallMicros() }) },
        end: (err) => { this.push({ kind: 'end', err }) }
      })
      this.armTimer()
      for (;;) {
        const ev = await this.next()
        if (ev.kind === 'data') {
          await this.rotateAged()
          await this.consume(ev.chunk, ev.us)
        } else if (ev.kind === 'end') {
          if (ev.err !== null) this.opts.report.warn('unable to read standard input', ev.err)
          break
        } else if (ev.kind === 'term') {
          await this.drainOnTerm()
          break
        } else if (ev.kind === 'hup') {
          await this.reopen()
        } else if (ev.kind === 'alrm') {
          for (const d of this.dirs) await d.rotate()
          this.armTimer()
        } else if (ev.kind === 'timer') {
          await this.rotateAged()
        } else {
          await this.writeNote(ev.dir, ev.text)
        }
      }
      this.finishLine()
      await this.flushAll()
      // Let the last datagrams go out, so that failure notes reach current before it is closed.
      for (const d of this.dirs) {
        const udp = d.udp
        d.udp = null
        await udp?.close()
      }
      await this.writeNotes()
      for (const d of this.dirs) {
        if (d.processor?.running === true) await d.processor.done
        await d.close()
      }
      for (const d of this.dirs) {
        if (d.dropped > 0) this.opts.report.warn(`exiting on sigterm, ${d.dropped} bytes not written: ${d.name}`)
      }
    } catch (err) {
      for (const d of this.dirs) d.processor?.detach()
      throw err
    } finally {
      if (this.timer !== null) clearTimeout(this.timer)
      this.timer = null
      for (const w of this.stopWaiters) w()
      if (this.reader !== null) await this.reader.stop(0)
      for (const d of this.dirs) await d.udp?.close(0)
    }
  }

  // ---- events ----

  private push (ev: Event): void {
    this.queue.push(ev)
    if (ev.kind === 'data') {
      this.queuedBytes += ev.chunk.length
      if (this.queuedBytes > QUEUE_HIGH && !this.readerPaused && this.reader !== null) {
        this.readerPaused = true
        this.reader.pause()
      }
    }
    const w = this.wake
    this.wake = null
    w?.()
  }

  private async next (): Promise<Event> {
    for (;;) {
      const ev = this.queue.shift()
      if (ev !== undefined) {
        if (ev.kind === 'data') {
          this.queuedBytes -= ev.chunk.length
          if (this.readerPaused && this.queuedBytes < QUEUE_HIGH / 4) {
            this.readerPaused = false
            this.reader?.resume()
          }
        }
        return ev
      }
      await new Promise<void>(resolve => { this.wake = resolve })
    }
  }

  /** Waits ms, or less if TERM comes; false when stopping (the caller gives up). */
  private async pause (ms: number): Promise<boolean> {
    if (this.stopping) return false
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.stopWaiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.stopWaiters.add(done)
    })
    return !this.stopping
  }

  /** TERM: take what is queued and what the pipe already holds, then stop. */
  private async drainOnTerm (): Promise<void> {
    const rest: Array<{ chunk: Buffer, us: number }> = []
    for (const ev of this.queue) if (ev.kind === 'data') rest.push(ev)
    this.queue.splice(0, this.queue.length, ...this.queue.filter(ev => ev.kind === 'note'))
    const reader = this.reader
    this.reader = null
    if (reader !== null) {
      const us = wallMicros()
      for (const chunk of (await reader.stop(TERM_DRAIN_MAX)).chunks) rest.push({ chunk, us })
    }
    for (const r of rest) await this.consume(r.chunk, r.us)
  }

  /** Writes the queued UDP failure notes (at exit: nothing else is queued that matters). */
  private async writeNotes (): Promise<void> {
    for (const ev of this.queue.splice(0)) if (ev.kind === 'note') await this.writeNote(ev.dir, ev.text)
  }

  /** A "warning: failure sending through udp: <datagram>" line, written like a log line. */
  private async writeNote (dir: LogDir, text: Buffer): Promise<void> {
    if (!dir.isOpen) return
    dir.put(text, 0, text.length)
    dir.endLine()
    await dir.flush()
  }

  // ---- directories ----

  private async openAll (): Promise<void> {
    let ok = false
    for (const d of this.dirs) {
      if (await d.open()) ok = true
      else d.selected = false // the rest of a long line has nowhere to go
    }
    if (!ok) throw new SysError('no functional log directories.', undefined)
  }

  private async reopen (): Promise<void> {
    for (const d of this.dirs) await d.close()
    await this.openAll()
    this.armTimer()
  }

  /** Rotates the directories whose t deadline has passed and re-arms the timer. */
  private async rotateAged (): Promise<void> {
    const now = Date.now()
    for (const d of this.dirs) {
      if (d.isOpen && d.config.age > 0 && d.ageDeadline < now) await d.rotate()
    }
    this.armTimer()
  }

  private armTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    let first = Infinity
    for (const d of this.dirs) if (d.isOpen && d.config.age > 0) first = Math.min(first, d.ageDeadline)
    if (first === Infinity) return
    // The deadline must have passed (strictly) when the timer fires.
    this.timer = setTimeout(() => { this.timer = null; this.push({ kind: 'timer' }) }, Math.max(0, first - Date.now()) + 5)
  }

  // ---- lines ----

  private stampAt (us: number): Buffer {
    if (this.opts.stamp === null) return EMPTY
    if (us !== this.stampUs) {
      this.stampUs = us
      this.stamp = Buffer.from(formatLogStamp(taiFromMicros(us), this.opts.stamp) + ' ', 'latin1')
    }
    return this.stamp
  }

  private replace (buf: Buffer, start: number, end: number): void {
    const table = this.replaceTable
    if (table === null) return
    for (let i = start; i < end; i++) buf[i] = table[buf[i]!]!
  }

  /** Splits one chunk into lines and plans them per directory, then writes. */
  private async consume (chunk: Buffer, us: number): Promise<void> {
    const lineMax = this.opts.lineMax
    const stamp = this.stampAt(us)
    const end = chunk.length
    let pos = 0
    while (pos < end) {
      if (this.inTail) {
        const nl = chunk.indexOf(10, pos)
        const stop = nl < 0 ? end : nl
        if (stop > pos) for (const d of this.dirs) if (d.selected) d.put(chunk, pos, stop)
        if (nl < 0) break
        this.endTail()
        pos = nl + 1
        continue
      }
      if (this.headLen === 0) {
        // A line starts here: usually it ends in this chunk too, and is taken in place.
        this.lineStamp = stamp
        const nl = chunk.indexOf(10, pos)
        if (nl >= 0 && nl - pos < lineMax) {
          this.replace(chunk, pos, nl)
          this.dispatch(chunk, pos, nl, false, true)
          pos = nl + 1
        } else if (end - pos >= lineMax) {
          this.replace(chunk, pos, pos + lineMax)
          this.dispatch(chunk, pos, pos + lineMax, true, false)
          this.inTail = true
          pos += lineMax
        } else {
          this.replace(chunk, pos, end)
          chunk.copy(this.head, 0, pos, end)
          this.headLen = end - pos
          pos = end
        }
        continue
      }
      // The line began in an earlier chunk: complete its first lineMax bytes.
      const need = lineMax - this.headLen
      const nl = chunk.indexOf(10, pos)
      if (nl >= 0 && nl - pos < need) {
        this.replace(chunk, pos, nl)
        chunk.copy(this.head, this.headLen, pos, nl)
        const len = this.headLen + nl - pos
        this.headLen = 0
        this.dispatch(this.head, 0, len, false, true)
        pos = nl + 1
      } else if (end - pos >= need) {
        this.replace(chunk, pos, pos + need)
        chunk.copy(this.head, this.headLen, pos, pos + need)
        this.headLen = 0
        this.dispatch(this.head, 0, lineMax, true, false)
        this.inTail = true
        pos += need
      } else {
        this.replace(chunk, pos, end)
        chunk.copy(this.head, this.headLen, pos, end)
        this.headLen += end - pos
        pos = end
      }
    }
    await this.flushAll()
  }

  private async flushAll (): Promise<void> {
    if (this.echoParts.length > 0) {
      const parts = this.echoParts
      this.echoParts = []
      this.opts.echo(Buffer.concat(parts))
    }
    for (const d of this.dirs) if (d.isOpen) await d.flush()
  }

  /** The rest of a long line has ended: close it in the directories that took it. */
  private endTail (): void {
    this.inTail = false
    for (const d of this.dirs) {
      if (!d.selected) continue
      d.put(NL, 0, 1)
      d.endLine()
    }
  }

  /** EOF/TERM: a line still being read is written as if its newline had come. */
  private finishLine (): void {
    if (this.inTail) {
      this.endTail()
    } else if (this.headLen > 0) {
      const len = this.headLen
      this.headLen = 0
      this.dispatch(this.head, 0, len, false, true)
    }
  }

  /**
   * One line's first bytes (line[start, end), at most lineMax): select per directory, echo on
   * stderr, send by UDP, plan the file write. `cut`: lineMax bytes were taken (more may follow).
   * `complete`: the newline was seen, so the line ends here.
   */
  private dispatch (line: Buffer, start: number, end: number, cut: boolean, complete: boolean): void {
    const stamp = this.lineStamp
    for (const d of this.dirs) {
      d.selected = false
      if (!d.isOpen) continue
      const cfg = d.config
      let match = '+'
      if (cfg.instructions.length > 0) {
        const s = select(cfg.instructions, line, start, end - start, this.sel)
        match = s.match
        if (s.matcherr === 'e') {
          this.echoParts.push(stamp, cfg.prefix, Buffer.from(line.subarray(start, end)))
          if (cut) this.echoParts.push(DOTS)
          this.echoParts.push(NL)
        }
      }
      if (match !== '+') continue
      if (d.udp !== null) {
        const text = line.subarray(start, end)
        const datagram = Buffer.concat(cut ? [stamp, cfg.prefix, text, DOTS, NL] : [stamp, cfg.prefix, text, NL])
        d.udp.send(datagram, () => {
          this.push({ kind: 'note', dir: d, text: Buffer.concat([UDP_FAILURE, datagram]) })
        })
      }
      if (cfg.udpOnly) continue
      d.selected = true
      if (stamp.length > 0) d.put(stamp, 0, stamp.length)
      if (cfg.prefix.length > 0) d.put(cfg.prefix, 0, cfg.prefix.length)
      d.put(line, start, end)
      if (complete) {
        d.put(NL, 0, 1)
        d.endLine()
      }
    }
  }
}

/** byte → byte: runit replaces bytes below 32 or above 126 (and -R's) with the -r byte. */
function replacementTable (by: number, extra: Uint8Array): Uint8Array {
  const t = new Uint8Array(256)
  for (let b = 0; b < 256; b++) t[b] = b < 32 || b > 126 ? by : b
  for (const b of extra) t[b] = by
  return t
}
