// supervise/wait (not runit's; its sv ignores it): what runsv waits for before it starts ./run
// (runsv(8), DEPENDENCIES), "<when> <text>\n" like supervise/reason: <when> is the TAI64N text of
// the status record it belongs to, so it goes stale by itself once the service starts.

import { writeAtomic } from '../os/atomic-write.js'
import type { Tai } from '../protocol/tai64.js'
import { reasonFileText, readStampedLine } from './reason-file.js'
import type { SvPaths } from './layout.js'

export function writeWait (p: Pick<SvPaths, 'wait' | 'tmp'>, when: Tai, text: string | null): void {
  writeAtomic(p.wait, p.tmp(p.wait), reasonFileText(when, text))
}

/** sv: what the service waits for while its record is the one of time `when`, or null. */
export function readWait (p: Pick<SvPaths, 'wait'>, when: Tai): string | null {
  return readStampedLine(p.wait, when)
}
