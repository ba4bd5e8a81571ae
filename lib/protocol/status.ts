// Encodes and decodes supervise/status: runit 2.x's 20-byte record (runsv.c update_status,
// sv.c svstatus_get). The only place that knows these offsets.
//
// | offset | size | meaning                                              | encoding       |
// |--------|------|------------------------------------------------------|----------------|
// | 0      | 8    | TAI64 seconds of the last state change               | big-endian     |
// | 8      | 4    | nanoseconds                                          | big-endian     |
// | 12     | 4    | pid of ./run or ./finish (0 = none)                  | LITTLE-endian  |
// | 16     | 1    | paused flag (0/1)                                    | byte           |
// | 17     | 1    | want: 'u' (up) or 'd' (down or exit)                 | ASCII          |
// | 18     | 1    | got-TERM flag (0/1)                                  | byte           |
// | 19     | 1    | state: 0 down, 1 run, 2 finish                       | byte           |

import { packTai64n, unpackTai64n, type Tai } from './tai64.js'

export const STATUS_SIZE = 20

export type RunState = 'down' | 'run' | 'finish'
/** What the status record can say about want: exit is written as 'd'. */
export type StatusWant = 'up' | 'down'

export interface SvStatus {
  /** time of the last state change (run: when ./run was forked; finish: still run's start) */
  when: Tai
  pid: number
  paused: boolean
  want: StatusWant
  gotTerm: boolean
  /** null when byte 19 holds a value runit never writes */
  state: RunState | null
}

const STATE_BYTES: readonly RunState[] = ['down', 'run', 'finish']

export function encodeStatus (s: SvStatus): Buffer {
  const buf = Buffer.alloc(STATUS_SIZE)
  packTai64n(s.when, buf, 0)
  buf.writeUInt32LE(s.pid >>> 0, 12)
  buf[16] = s.paused ? 1 : 0
  buf[17] = s.want === 'up' ? 0x75 : 0x64
  buf[18] = s.gotTerm ? 1 : 0
  buf[19] = s.state === null ? 0 : STATE_BYTES.indexOf(s.state)
  return buf
}

/** Decodes a status record; returns null unless it is exactly STATUS_SIZE bytes (sv: "bad format"). */
export function decodeStatus (buf: Buffer): SvStatus | null {
  if (buf.length !== STATUS_SIZE) return null
  return {
    when: unpackTai64n(buf, 0),
    pid: buf.readUInt32LE(12),
    paused: buf[16] !== 0,
    want: buf[17] === 0x75 ? 'up' : 'down',
    gotTerm: buf[18] !== 0,
    state: STATE_BYTES[buf[19] ?? 0xff] ?? null
  }
}
