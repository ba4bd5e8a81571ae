// sv log: a service's svlogd log read back (sv(8), LOG): the log directories named in log/run,
// the last lines of their rotated files and current, stamps as local time, lines of several
// services merged in time order; with follow, current is read on across rotations.

import { readFileSync, readdirSync, openSync, readSync, closeSync, fstatSync, statSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import { tai64nLocalLine, formatLocalTai } from '../protocol/tai64-local.js'
import { TAI64_EPOCH } from '../protocol/tai64.js'
import { closeQuietly } from '../os/probe.js'
import type { SvPaths } from '../svdir/layout.js'

const CURRENT = 'current'
/** Rotated files: "@" + 24 hex digits + ".s" (processed) or ".u" (not closed cleanly). */
const ROTATED = /^@[0-9a-f]{24}\.[su]$/
/** svlogd's options that take an argument (svlogd(8)). */
const WITH_ARG = new Set(['r', 'R', 'l', 'b'])

/** Shell-ish words of a log/run script, quotes removed; operators and comments end a command. */
function words (script: string): string[][] {
  const commands: string[][] = []
  for (const line of script.split('\n')) {
    let cmd: string[] = []
    const re = /'([^']*)'|"([^"]*)"|(#.*$)|([;&|]+)|(\S+?)(?=\s|$|[;&|'"])/g
    for (const m of line.matchAll(re)) {
      if (m[3] !== undefined) break
      if (m[4] !== undefined) { commands.push(cmd); cmd = []; continue }
      cmd.push(m[1] ?? m[2] ?? m[5] ?? '')
    }
    commands.push(cmd)
  }
  return commands.filter(c => c.length > 0)
}

/**
 * The log directories svlogd is given in `logRun` (the text of log/run), resolved from `logDir`
 * (log/run's working directory). Words with a shell expansion ($, `, *) are left out.
 */
export function svlogdDirs (logRun: string, logDir: string): string[] {
  const dirs: string[] = []
  for (const cmd of words(logRun)) {
    const at = cmd.findIndex(w => basename(w) === 'svlogd')
    if (at < 0) continue
    let i = at + 1
    for (; i < cmd.length && cmd[i]!.startsWith('-') && cmd[i] !== '-'; i++) {
      const w = cmd[i]!
      if (w === '--') { i++; break }
      // -tt, -v, or an option with its argument attached (-l200) or in the next word (-l 200)
      for (let j = 1; j < w.length; j++) {
        if (WITH_ARG.has(w[j]!)) { if (j === w.length - 1) i++; break }
      }
    }
    for (; i < cmd.length; i++) {
      const d = cmd[i]!
      if (/[$`*?]/.test(d)) continue
      dirs.push(isAbsolute(d) ? d : join(logDir, d))
    }
  }
  return dirs
}

/** The svlogd directories of a service, from its log/run; throws when log/run cannot be read. */
export function serviceLogDirs (p: Pick<SvPaths, 'log'>): string[] {
  return svlogdDirs(readFileSync(join(p.log, 'run'), 'utf8'), p.log)
}

/** A log line with the service it came from and its time (ns since the epoch), for merging. */
export interface LogLine {
  service: string
  /** the line as shown: a leading TAI64N label as local time, without its newline */
  text: string
  /** sort key: the line's stamp, or the previous line's; 0n before any */
  key: bigint
}

/** svlogd -tt's and -ttt's stamp: UTC, "_" or "T", five digits of fraction. */
const UTC_STAMP = /^(\d{4})-(\d\d)-(\d\d)[_T](\d\d):(\d\d):(\d\d)\.(\d{5})/

/** A line's svlogd stamp in ns since the epoch (-t TAI64N, -tt/-ttt UTC), or null. */
export function stampKey (line: string): bigint | null {
  const tai = /^@([0-9a-f]{16})([0-9a-f]{8})/.exec(line)
  if (tai !== null) return (BigInt('0x' + tai[1]!) - TAI64_EPOCH) * 1_000_000_000n + BigInt('0x' + tai[2]!)
  const utc = UTC_STAMP.exec(line)
  if (utc === null) return null
  const f = utc.slice(1).map(Number)
  return BigInt(Date.UTC(f[0]!, f[1]! - 1, f[2]!, f[3]!, f[4]!, f[5]!)) * 1_000_000n + BigInt(f[6]!) * 10_000n
}

/** A line as shown: a TAI64N label (-t) or a UTC stamp (-tt, -ttt) at its start as local time. */
export function localText (line: string): string {
  if (!UTC_STAMP.test(line)) return tai64nLocalLine(line)
  const ns = stampKey(line)!
  return (formatLocalTai(ns / 1_000_000_000n, Number(ns % 1_000_000_000n)) ?? line.slice(0, 25)) + line.slice(25)
}

/** Lines of text from one service, keyed for merging; `last` is the key the previous line had. */
function keyed (service: string, lines: readonly string[], last: { key: bigint }): LogLine[] {
  return lines.map(raw => {
    last.key = stampKey(raw) ?? last.key
    return { service, text: localText(raw), key: last.key }
  })
}

/** Several services' lines in time order; a stable sort keeps each service's own order. */
export function mergeLines (lists: readonly LogLine[][]): LogLine[] {
  return lists.flat().sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

/** The files of a log directory, oldest first: rotated ones by name (= time), then current. */
export function logFiles (dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const rotated = names.filter(n => ROTATED.test(n)).sort()
  return [...rotated, ...(names.includes(CURRENT) ? [CURRENT] : [])].map(n => join(dir, n))
}

/** Bytes read at a time from a file's end. */
const TAIL_STEP = 64 * 1024

/**
 * The last `n` lines of a file (a last line without a newline counts), read from its end: a
 * 1 MB current costs what its tail costs (svhttpd reads every service's on each page).
 */
export function tailOfFile (path: string, n: number): string[] {
  if (n <= 0) return []
  const fd = openSync(path, 'r')
  try {
    let pos = fstatSync(fd).size
    const chunks: Buffer[] = []
    let newlines = 0
    // n lines are whole once n + 1 newlines are in (the last line may end in one)
    while (pos > 0 && newlines <= n) {
      const len = Math.min(TAIL_STEP, pos)
      pos -= len
      const buf = Buffer.alloc(len)
      const got = readSync(fd, buf, 0, len, pos)
      chunks.unshift(buf.subarray(0, got))
      for (let at = buf.indexOf(10); at >= 0 && at < got; at = buf.indexOf(10, at + 1)) newlines++
    }
    const lines = Buffer.concat(chunks).toString('latin1').split('\n')
    if (lines.at(-1) === '') lines.pop()
    if (pos > 0) lines.shift() // began mid-line
    return lines.slice(-n)
  } finally {
    closeQuietly(fd)
  }
}

/** The last `n` complete lines of a log directory (a last line without a newline counts). */
export function lastLines (dir: string, n: number): string[] {
  const out: string[] = []
  const files = logFiles(dir)
  for (let i = files.length - 1; i >= 0 && out.length < n; i--) {
    try { out.unshift(...tailOfFile(files[i]!, n - out.length)) } catch { continue }
  }
  return out
}

/** The last `n` lines of each service (all its log directories), merged in time order. */
export function tailServices (services: ReadonlyArray<{ name: string, dirs: string[] }>, n: number): LogLine[] {
  const merged = mergeLines(services.map(s => {
    const last = { key: 0n }
    return mergeLines(s.dirs.map(d => keyed(s.name, lastLines(d, n), last))).slice(-n)
  }))
  return merged
}

/**
 * Follows one log directory's current from its end: each poll reads what was appended; when
 * current was rotated (another file under the name), the old file is read to its end, then the
 * new one from its start. Partial lines wait for their newline.
 */
export class CurrentFollower {
  private fd = -1
  private ino = -1
  private pos = 0
  private partial = ''
  private readonly last = { key: 0n }

  constructor (private readonly service: string, private readonly dir: string) {
    this.open(true)
  }

  private open (atEnd: boolean): void {
    try {
      this.fd = openSync(join(this.dir, CURRENT), 'r')
      const st = fstatSync(this.fd)
      this.ino = st.ino
      this.pos = atEnd ? st.size : 0
    } catch {
      this.fd = -1
    }
  }

  private drain (): string {
    if (this.fd < 0) return ''
    const chunks: Buffer[] = []
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024)
      const n = readSync(this.fd, buf, 0, buf.length, this.pos)
      if (n <= 0) break
      this.pos += n
      chunks.push(buf.subarray(0, n))
    }
    return Buffer.concat(chunks).toString('latin1')
  }

  /** New complete lines since the last poll. */
  poll (): LogLine[] {
    let text = ''
    if (this.fd < 0) this.open(false)
    text += this.drain()
    let ino = -1
    let size = 0
    try {
      const st = statSync(join(this.dir, CURRENT))
      ino = st.ino
      size = st.size
    } catch { /* between rename and create: next poll */ }
    if (ino !== -1 && ino !== this.ino) { // rotated: the old file is read to its end above
      closeQuietly(this.fd)
      this.open(false)
      text += this.drain()
    } else if (ino === this.ino && size < this.pos) { // truncated
      this.pos = 0
      text += this.drain()
    }
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    return keyed(this.service, lines, this.last)
  }

  close (): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
