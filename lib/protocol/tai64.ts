// TAI64 / TAI64N labels as runit uses them: 2^62 + 10 + unix seconds, no leap-second table.

/** 2^62 + 10: the TAI64 label of the unix epoch as runit computes it. */
export const TAI64_EPOCH = 0x400000000000000an

/** A point in time with nanosecond precision, as runit's taia (attoseconds dropped). */
export interface Tai {
  /** unix seconds */
  sec: number
  /** nanoseconds, 0..999999999 */
  nano: number
}

/** "now" as runit's taia_now shapes it (nanoseconds end in 500); wall clock, millisecond grain. */
export function taiNow (ms: number = Date.now()): Tai {
  return taiFromMicros(Math.floor(ms * 1000))
}

/** A point in time from wall-clock microseconds, shaped as runit's taia_now (nanoseconds end in 500). */
export function taiFromMicros (us: number): Tai {
  const sec = Math.floor(us / 1e6)
  return { sec, nano: (us - sec * 1e6) * 1000 + 500 }
}

// Wall-clock microseconds, the grain of runit's gettimeofday. Date.now() has milliseconds, so the
// fraction comes from the monotonic clock, anchored at Node's start (performance.timeOrigin,
// microsecond-precise) and moved to the nearest point of the millisecond Date.now() names whenever
// it strays outside it (the wall clock was set or slewed). Non-decreasing while the wall clock is.
// Anchored on first use: sv loads this file, and `performance` is loaded lazily by Node.
let anchorUs = Number.NaN
let anchorMono = 0

/** Wall-clock time in whole microseconds, always within the millisecond Date.now() gives. */
export function wallMicros (): number {
  const mono = performance.now()
  const lowUs = Date.now() * 1000
  if (Number.isNaN(anchorUs)) anchorUs = performance.timeOrigin * 1000
  let us = Math.floor(anchorUs + (mono - anchorMono) * 1000)
  if (us < lowUs || us > lowUs + 999) {
    us = us < lowUs ? lowUs : lowUs + 999
    anchorUs = us
    anchorMono = mono
  }
  return us
}

/** Packs a Tai into 12 bytes: 8-byte big-endian label, 4-byte big-endian nanoseconds. */
export function packTai64n (t: Tai, into: Buffer = Buffer.alloc(12), offset = 0): Buffer {
  into.writeBigUInt64BE(TAI64_EPOCH + BigInt(t.sec), offset)
  into.writeUInt32BE(t.nano, offset + 8)
  return into
}

/** Unpacks 12 bytes of TAI64N into unix seconds and nanoseconds. */
export function unpackTai64n (buf: Buffer, offset = 0): Tai {
  const label = buf.readBigUInt64BE(offset)
  return { sec: Number(label - TAI64_EPOCH), nano: buf.readUInt32BE(offset + 8) }
}

/** "@" + 24 lowercase hex digits: svlogd -t stamps and rotated file names. */
export function formatTai64nText (t: Tai): string {
  return '@' + packTai64n(t).toString('hex')
}

/** Compares two points in time: negative, zero or positive. */
export function compareTai (a: Tai, b: Tai): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nano - b.nano
}

/** svlogd's line stamp styles: -t (TAI64N text), -tt (UTC, "_"), -ttt (UTC, ISO 8601 "T"). */
export type LogStampStyle = 't' | 'tt' | 'ttt'

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

/**
 * svlogd's 25-character line stamp (without the trailing space): "@" + 24 hex digits for -t;
 * "YYYY-MM-DD_HH:MM:SS.nnnnn" (UTC) for -tt, with "T" instead of "_" for -ttt. The fraction is
 * the first 5 of the 9 zero-padded nanosecond digits (runit's fmt_ptime, truncated to 10 µs).
 */
export function formatLogStamp (t: Tai, style: LogStampStyle): string {
  if (style === 't') return formatTai64nText(t)
  const d = new Date(t.sec * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `${style === 'tt' ? '_' : 'T'}${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(Math.floor(t.nano / 10000), 5)}`
}
