// supervise/reason (not runit's; its sv ignores it): why a service that was wanted up is down with
// want down, when runsv's restart policy decided it (runsv(8), RESTART POLICY). One line,
//   "<when> <text>\n"
// with <when> the TAI64N text of the status record it belongs to: a reader shows the text only
// while supervise/status has that time and says down, want down; empty when there is no reason.

import { readFileSync } from 'node:fs'
import { writeAtomic } from '../os/atomic-write.js'
import { formatTai64nText, type Tai } from '../protocol/tai64.js'
import type { SvPaths } from './layout.js'

export function reasonFileText (when: Tai, text: string | null): string {
  return text === null ? '' : `${formatTai64nText(when)} ${text}\n`
}

/** runsv: the file's new content (reasonFileText), before the status record it belongs to. */
export function writeReason (p: Pick<SvPaths, 'reason' | 'tmp'>, content: string): void {
  writeAtomic(p.reason, p.tmp(p.reason), content)
}

/** sv: the reason for the record of time `when`, or null (none, another record's, no file). */
export function readReason (p: Pick<SvPaths, 'reason'>, when: Tai): string | null {
  return readStampedLine(p.reason, when)
}

/** The text of a "<when> <text>\n" file (supervise/reason, supervise/wait) for the record of time
 * `when`, or null. */
export function readStampedLine (path: string, when: Tai): string | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  const stamp = formatTai64nText(when) + ' '
  if (!text.startsWith(stamp) || !text.endsWith('\n')) return null
  const reason = text.slice(stamp.length, -1)
  return reason === '' || reason.includes('\n') ? null : reason
}
