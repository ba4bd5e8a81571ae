// One log directory of svlogd(8) (LOG DIRECTORY, LOG FILE ROTATION): lock, config, current,
// rotation, pruning, the disk-full rule, and the write plan of each input chunk (see LogDir).
import {
  openSync, closeSync, writeSync, fsync, fsyncSync, fchmodSync, fstatSync, statSync, readFileSync, readdirSync,
  renameSync, unlinkSync, constants
} from 'node:fs'
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { errnoCode, errnoError } from '../errors/errors.js'
import { wallMicros, taiFromMicros, formatTai64nText, compareTai, type Tai } from '../protocol/tai64.js'
import { openLockFile, lockExNb } from '../os/lock.js'
import { statIfExists } from '../os/probe.js'
import { openUdpSender, type UdpSender } from '../os/udp.js'
import { parseConfig, defaultConfig, type LogConfig } from './config.js'
import { ProcessorJob, retry, type DirContext } from './processor.js'

export const CURRENT = 'current'
export const LOCK = 'lock'
export const CONFIG = 'config'

const O_APPEND = constants.O_WRONLY | constants.O_NONBLOCK | constants.O_APPEND | constants.O_CREAT

/** A rotated file's name: "@" + 24 hex digits + "." + s|u|t, 27 characters. */
export function isRotatedName (name: string): boolean {
  return name.length === 27 && name[0] === '@' && name[25] === '.'
}

type Op = { kind: 'data', start: number, end: number } | { kind: 'rotate' }

/** Planning waits for the writer once this much is planned and not yet handed over. */
const WRITE_AHEAD = 2 * 1024 * 1024
const DONE = Promise.resolve()

/**
 * Writing is planned, then performed. put()/endLine() take the bytes of lines and decide, with
 * runit's rules, where current must be rotated: before a write when current holds `s` bytes,
 * cutting a write at `s` bytes (a line can be split across two files), and after a line when
 * current holds at least s − len bytes (-l len; never when s < len). The bytes go into one
 * buffer per directory; the writer then writes each stretch between rotations with one write(2)
 * and rotates in between, so the files get exactly the bytes runit's line-by-line writes would
 * give, with far fewer system calls. Failing writes are retried every 3 s (runit's "pausing")
 * until they succeed or svlogd is told to stop.
 *
 * The writer runs behind the planning: a rotation's fsync (half of svlogd's time on a disk,
 * bench/README.md) goes to the thread pool while the next lines are planned into a second
 * buffer, up to WRITE_AHEAD bytes. The order on disk stays runit's: current is complete on disk
 * before it is renamed, and no line reaches the new current before that.
 */
export class LogDir {
  config: LogConfig = defaultConfig()
  isOpen = false
  /** when current is next rotated by age (ms since the epoch); 0 = no t line */
  ageDeadline = 0
  /** the processor working on the last rotated file, kept across HUP */
  processor: ProcessorJob | null = null
  udp: UdpSender | null = null
  /** the line being read goes to this directory (set per line by the caller) */
  selected = false
  /** bytes a write could not place because svlogd stopped while retrying */
  dropped = 0

  private lockFd = -1
  private curFd = -1
  /** bytes current will hold once the planned output is written */
  private size = 0
  /** bytes current holds now */
  private written = 0
  /** the plan: bytes, and the ops over them */
  private out = Buffer.allocUnsafe(128 * 1024)
  private outLen = 0
  private segStart = 0
  private ops: Op[] = []
  /** the writer's buffer while it works, swapped with `out` per batch */
  private spare = Buffer.allocUnsafe(128 * 1024)
  private writing = false
  /** the writer's run (settles when the writer is idle) */
  private writer: Promise<void> = DONE
  /** old files being unlinked, by name */
  private readonly unlinking = new Map<string, Promise<void>>()
  private lastStamp: Tai = { sec: 0, nano: 0 }

  /**
   * @param name the directory as given on the command line (used in messages)
   * @param path the same, absolute
   * @param lineMax -l len (part of the after-line rotation rule)
   */
  constructor (
    readonly name: string, readonly path: string, private readonly lineMax: number, private readonly ctx: DirContext
  ) {}

  private at (file: string): string {
    return join(this.path, file)
  }

  /** The open procedure (startup and HUP). False, with a warning said, when the dir is unusable. */
  async open (): Promise<boolean> {
    const { report, verbose } = this.ctx
    try {
      if (!statSync(this.path).isDirectory()) throw errnoError('ENOTDIR', 'not a directory')
    } catch (err) {
      const code = errnoCode(err)
      report.warn(`${code === 'ENOTDIR' ? 'unable to change directory' : 'unable to open log directory'}: ${this.name}`, err)
      return false
    }
    try {
      this.lockFd = openLockFile(this.at(LOCK))
      if (!lockExNb(this.lockFd)) throw errnoError('EAGAIN', 'locked')
    } catch (err) {
      this.closeLock()
      report.warn(`unable to lock directory: ${this.name}`, err)
      return false
    }

    this.config = defaultConfig()
    try {
      const parsed = parseConfig(readFileSync(this.at(CONFIG)))
      if (verbose) report.info(`read: ${this.name}/${CONFIG}`)
      this.config = parsed.config
      for (const w of parsed.warnings) report.warn(w)
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') report.warn(`unable to read config: ${this.name}`, err)
    }
    this.ageDeadline = this.config.age > 0 ? Date.now() + this.config.age * 1000 : 0

    // A non-empty current without the owner-x bit was not closed cleanly: set it aside as a .u.
    let fresh = true
    let size = 0
    try {
      const st = statSync(this.at(CURRENT))
      if (st.size > 0 && (st.mode & 0o100) === 0) {
        const name = this.freshName('u')
        if (!await retry(this.ctx, 'unable to rename current', this.name, () => { renameSync(this.at(CURRENT), this.at(name)) })) {
          this.closeLock()
          return false
        }
        this.prune()
      } else {
        fresh = false
        size = st.size
      }
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') {
        this.closeLock()
        report.warn(`unable to stat current: ${this.name}`, err)
        return false
      }
    }
    if (!await retry(this.ctx, 'unable to open current', this.name, () => { this.curFd = openSync(this.at(CURRENT), O_APPEND, 0o600) })) {
      this.closeLock()
      return false
    }
    await retry(this.ctx, 'unable to set mode of current', this.name, () => { fchmodSync(this.curFd, 0o644) })
    this.size = this.written = size
    this.outLen = this.segStart = 0
    this.ops = []
    if (verbose) report.info(`${fresh ? 'new' : 'append'}: ${this.name}/${CURRENT}`)
    const udp = this.config.udp
    this.udp = udp === null ? null : openUdpSender(udp.address, udp.port)
    this.isOpen = true
    return true
  }

  private closeLock (): void {
    if (this.lockFd >= 0) closeSync(this.lockFd)
    this.lockFd = -1
  }

  /** The close procedure (exit and HUP): write what is planned, fsync, mode 0744, unlock. */
  async close (): Promise<void> {
    if (!this.isOpen) return
    await this.settle()
    await Promise.all(this.unlinking.values())
    if (this.ctx.verbose) this.ctx.report.info(`close: ${this.name}`)
    await retry(this.ctx, 'unable to fsync current logfile', this.name, () => { fsyncSync(this.curFd) })
    await retry(this.ctx, 'unable to set mode of current', this.name, () => { fchmodSync(this.curFd, 0o744) })
    closeSync(this.curFd)
    this.curFd = -1
    this.closeLock()
    const udp = this.udp
    this.udp = null
    this.isOpen = false
    await udp?.close()
  }

  // ---- planning ----

  private room (n: number): void {
    if (this.outLen + n <= this.out.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.outLen + n))
    this.out.copy(bigger, 0, 0, this.outLen)
    this.out = bigger
  }

  private planRotate (): void {
    this.endSegment()
    this.ops.push({ kind: 'rotate' })
    this.size = 0
  }

  /** Plans writing src[start, end) to current, cut and rotated at the size limit. */
  put (src: Uint8Array, start: number, end: number): void {
    const max = this.config.size
    while (start < end) {
      if (max > 0 && this.size >= max) this.planRotate()
      let n = end - start
      if (max > 0 && n > max - this.size) n = max - this.size
      this.room(n)
      const out = this.out
      let o = this.outLen
      // Short pieces (stamps, prefixes, newlines) by hand: cheaper than a view + copy, which wins
      // from about 32 bytes on (100-byte lines: 0.70 -> 0.63 s per million, bench/README.md).
      // The view is a plain Uint8Array: Buffer's subarray() builds a Buffer on top, a tenth of
      // svlogd's time in a CPU profile.
      if (n <= 32) for (let i = start, e = start + n; i < e; i++) out[o++] = src[i]!
      else out.set(new Uint8Array(src.buffer, src.byteOffset + start, n), o)
      this.outLen += n
      this.size += n
      start += n
    }
  }

  /** After a line's "\n": rotate when current holds s − len bytes or more (never when s < len). */
  endLine (): void {
    const max = this.config.size
    if (max > 0 && max >= this.lineMax && this.size >= max - this.lineMax) this.planRotate()
  }

  private endSegment (): void {
    if (this.outLen > this.segStart) this.ops.push({ kind: 'data', start: this.segStart, end: this.outLen })
    this.segStart = this.outLen
  }

  /**
   * Hands the plan to the writer. Resolves at once unless WRITE_AHEAD bytes wait for a busy
   * writer; then when the writer has caught up.
   */
  flush (): Promise<void> {
    this.endSegment()
    if (!this.writing) {
      if (this.ops.length > 0) this.writer = this.writeAll()
      return DONE
    }
    return this.outLen >= WRITE_AHEAD ? this.writer : DONE
  }

  /** Everything planned is written (or given up on TERM). */
  async settle (): Promise<void> {
    for (;;) {
      void this.flush() // hands over what is planned; the writer is awaited below
      if (!this.writing) return
      await this.writer
    }
  }

  /** Performs the plan, batch by batch: writes and rotations, in order. */
  private async writeAll (): Promise<void> {
    this.writing = true
    try {
      for (;;) {
        // Lines planned since the last flush() go too: the buffer changes hands below.
        this.endSegment()
        if (this.ops.length === 0) break
        const ops = this.ops
        const buf = this.out
        this.ops = []
        this.out = this.spare
        this.spare = buf
        this.outLen = this.segStart = 0
        for (const op of ops) {
          if (op.kind === 'data') await this.write(buf, op.start, op.end)
          else await this.rotateCurrent()
        }
      }
    } finally {
      this.writing = false
    }
  }

  private async write (buf: Buffer, start: number, end: number): Promise<void> {
    while (start < end) {
      try {
        const n = writeSync(this.curFd, buf, start, end - start)
        start += n
        this.written += n
        continue
      } catch (err) {
        if (errnoCode(err) === 'ENOSPC' && this.config.min < this.config.num && await this.deleteForSpace()) continue
        this.ctx.report.pausing(`unable to write to current: ${this.name}`, err)
      }
      if (!await this.ctx.pause()) {
        this.dropped += end - start
        return
      }
    }
  }

  /** Disk full with N < n: delete the oldest @ file while more than N exist. True if space may have come. */
  private async deleteForSpace (): Promise<boolean> {
    if (this.unlinking.size > 0) {
      await Promise.all(this.unlinking.values())
      return true
    }
    let names: string[]
    try {
      names = readdirSync(this.path).filter(isRotatedName)
    } catch (err) {
      this.ctx.report.warn(`unable to read directory, want remove old logfile: ${this.name}`, err)
      return false
    }
    if (names.length <= this.config.min) return false
    const busy = this.busyNames()
    const oldest = names.filter(n => !busy.has(n)).sort()[0]
    if (oldest === undefined) return false
    this.ctx.report.warn(`out of disk space, delete: ${this.name}/${oldest}`)
    try {
      unlinkSync(this.at(oldest))
      return true
    } catch (err) {
      this.ctx.report.warn(`unable to unlink oldest logfile: ${this.name}`, err)
      return false
    }
  }

  /** Files a running processor works on: never pruned or deleted under it. */
  private busyNames (): Set<string> {
    const p = this.processor
    return p !== null && p.running ? new Set([p.uName, p.tName]) : new Set()
  }

  // ---- rotation ----

  /** A name for a rotated file: the current time, later than any this dir used, and free. */
  private freshName (suffix: 's' | 'u'): string {
    let t = taiFromMicros(wallMicros())
    if (compareTai(t, this.lastStamp) <= 0) t = { ...this.lastStamp }
    for (;;) {
      if (compareTai(t, this.lastStamp) <= 0) {
        t.nano += 1000
        if (t.nano >= 1e9) { t.sec += 1; t.nano -= 1e9 }
      }
      this.lastStamp = { ...t }
      const name = `${formatTai64nText(t)}.${suffix}`
      if (statIfExists(this.at(name)) === undefined) return name
    }
  }

  /** Rotates now (age, ALRM), after what is planned: a no-op for an empty current except the age clock. */
  async rotate (): Promise<void> {
    if (!this.isOpen) return
    this.planRotate()
    await this.settle()
  }

  /** The writer's rotation: current, complete on disk, becomes the next @ file. */
  private async rotateCurrent (): Promise<void> {
    if (this.processor?.running === true) await this.processor.done
    const name = this.freshName(this.config.processor !== null ? 'u' : 's')
    const now = Date.now()
    if (this.config.age > 0 && this.ageDeadline < now) this.ageDeadline = now + this.config.age * 1000
    if (this.written === 0) return
    const name0 = this.name
    // In the thread pool: planning goes on meanwhile (see the top of this file).
    const fd = this.curFd
    await retry(this.ctx, 'unable to fsync current logfile', name0, () => new Promise<void>((resolve, reject) => {
      fsync(fd, err => { if (err === null) resolve(); else reject(err) })
    }))
    await retry(this.ctx, 'unable to set mode of current', name0, () => { fchmodSync(this.curFd, 0o744) })
    if (this.ctx.verbose) this.ctx.report.info(`rename: ${name0}/${CURRENT} ${name} ${this.written}`)
    // Renamed while still open, so that giving up (TERM) at any step leaves a usable descriptor.
    if (!await retry(this.ctx, 'unable to rename current', name0, () => { renameSync(this.at(CURRENT), this.at(name)) })) return
    let newFd = -1
    if (!await retry(this.ctx, 'unable to create new current', name0, () => { newFd = openSync(this.at(CURRENT), O_APPEND, 0o600) })) return
    closeSync(fd)
    this.curFd = newFd
    this.written = 0
    await retry(this.ctx, 'unable to set mode of current', name0, () => { fchmodSync(this.curFd, 0o644) })
    this.prune(name)
    const command = this.config.processor
    if (command !== null) this.processor = new ProcessorJob(this.path, this.name, command, name, this.ctx)
  }

  /**
   * Removes processor leftovers (@….t) and, when n > 0, the oldest .s/.u files until at most n
   * are left. runit removes one file per rotation, so lowering n never shrank an existing
   * surplus (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2); `keep` (the .u about to be processed) is never removed.
   */
  prune (keep?: string): void {
    let names: string[]
    try {
      names = readdirSync(this.path)
    } catch (err) {
      this.ctx.report.warn(`unable to read directory: ${this.name}`, err)
      return
    }
    const busy = this.busyNames()
    const old: string[] = []
    let count = 0
    for (const n of names) {
      if (!isRotatedName(n) || busy.has(n) || this.unlinking.has(n)) continue
      if (n[26] === 't') {
        this.unlinkLater(n, `unable to unlink processor leftover: ${n}`)
        continue
      }
      count++
      if (n !== keep) old.push(n)
    }
    const max = this.config.num
    if (max === 0 || count <= max) return
    old.sort()
    for (let i = 0; count > max && i < old.length; i++, count--) {
      if (this.ctx.verbose) this.ctx.report.info(`delete: ${this.name}/${old[i]!}`)
      this.unlinkLater(old[i]!, `unable to unlink oldest logfile: ${this.name}`)
    }
  }

  /**
   * Unlinks in the thread pool: freeing a big file's blocks takes a while (a fifth of the
   * writer's time at 1 MB rotations), and the writer need not wait for it. Until it is done
   * the name counts as gone; a failed unlink leaves the file for the next prune.
   */
  private unlinkLater (name: string, failure: string): void {
    this.unlinking.set(name, unlink(this.at(name)).then(
      () => { this.unlinking.delete(name) },
      (err: unknown) => { this.unlinking.delete(name); this.ctx.report.warn(failure, err) }))
  }

  /** Size of current on disk (tests and diagnostics). */
  currentSize (): number {
    return this.curFd >= 0 ? fstatSync(this.curFd).size : 0
  }
}
