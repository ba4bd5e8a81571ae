// daemontools' tai64nlocal as a pure byte filter: a TAI64N label ("@" + hex) at the start of a
// line becomes local time "YYYY-MM-DD HH:MM:SS.nnnnnnnnn"; every other byte passes through.
//
// daemontools 0.76 tai64nlocal.c, byte for byte: only a line's first byte may open a label; the
// label runs over every following lowercase hex digit (any number of them, shifted through a
// 64-bit seconds and a 32-bit nanoseconds register, so the last 8 digits are the nanoseconds and
// may print as 10 digits) and ends at the first other byte, which is kept (the space after a
// label, or whatever follows). Seconds are label - (2^62 + 10), as a signed time_t, shown by
// localtime(3) in the process's TZ. A label cut off by the end of input is dropped, as there.
// One difference: where localtime fails (a year beyond C's int: short labels such as "@abc",
// "@" alone, uppercase hex), daemontools dies of SIGSEGV and loses what it had buffered; here
// the label's bytes pass through unchanged.

import { TAI64_EPOCH } from './tai64.js'

const AT = 0x40
const NL = 0x0a
const U64 = (1n << 64n) - 1n

/** 400 Gregorian years: the calendar (weekdays, leap days) and yearly zone rules repeat. */
const CYCLE_SEC = 146097n * 86400n
/** Date's range (±8.64e15 ms) less two days, so a local offset cannot push past it. */
const DATE_LIMIT_SEC = 8_640_000_000_000n - 2n * 86400n

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0')

/**
 * daemontools' local rendering of unix seconds `t` (a time_t) and a nanosecond register `nano`
 * (0..2^32-1, printed with at least 9 digits), or null where localtime(3) fails (the year minus
 * 1900 does not fit a C int). Times beyond Date's range are moved by whole 400-year cycles.
 */
export function formatLocalTai (t: bigint, nano: number): string | null {
  let k = 0n
  if (t > DATE_LIMIT_SEC) k = (t - DATE_LIMIT_SEC + CYCLE_SEC - 1n) / CYCLE_SEC
  else if (t < -DATE_LIMIT_SEC) k = -((-DATE_LIMIT_SEC - t + CYCLE_SEC - 1n) / CYCLE_SEC)
  const d = new Date(Number(t - k * CYCLE_SEC) * 1000)
  const tmYear = BigInt(d.getFullYear()) + k * 400n - 1900n
  if (tmYear !== BigInt.asIntN(32, tmYear)) return null
  // C: fmt_ulong(1900 + tm_year): int arithmetic (wraps), then widened to unsigned long.
  const year = BigInt.asUintN(64, BigInt.asIntN(32, tmYear + 1900n))
  return `${year}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(nano, 9)}`
}

const hexValue = (b: number): number => b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x61 + 10 : -1

/** tai64nlocal's state between chunks: where in a line it is, and a label being read. */
export class Tai64nLocal {
  private atLineStart = true
  /** the bytes of a label being read (from its "@"), or null outside a label */
  private label: number[] | null = null
  private secs = 0n
  private nano = 0

  /** The output for the next chunk of input (everything that can be decided now). */
  push (chunk: Uint8Array): Buffer {
    const out: Buffer[] = []
    let from = 0 // start of the run of bytes passed through unchanged
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      if (this.label !== null) {
        const u = hexValue(b)
        if (u >= 0) {
          this.label.push(b)
          this.secs = ((this.secs << 4n) + BigInt(this.nano >>> 28)) & U64
          this.nano = ((this.nano & 0xfffffff) * 16) + u
          continue
        }
        out.push(this.endLabel())
        from = i
        this.atLineStart = false
      } else if (this.atLineStart && b === AT) {
        if (i > from) out.push(Buffer.from(chunk.subarray(from, i)))
        this.label = [b]
        this.secs = 0n
        this.nano = 0
        continue
      }
      this.atLineStart = b === NL
    }
    if (this.label === null && from < chunk.length) out.push(Buffer.from(chunk.subarray(from)))
    return Buffer.concat(out)
  }

  /** What is left at the end of input: nothing (a label cut off by EOF is dropped, as there). */
  end (): Buffer {
    this.label = null
    return Buffer.alloc(0)
  }

  private endLabel (): Buffer {
    const raw = Buffer.from(this.label!)
    this.label = null
    const text = formatLocalTai(BigInt.asIntN(64, this.secs - TAI64_EPOCH), this.nano)
    return text === null ? raw : Buffer.from(text)
  }
}

/** One line (or text without newlines) through tai64nlocal, for readers of svlogd's -t logs. */
export function tai64nLocalLine (line: string): string {
  const f = new Tai64nLocal()
  return f.push(Buffer.from(line + '\n')).toString().slice(0, -1)
}
