// Formats supervise/stat, runsv's one human-readable line (runit 2.x wording).

import type { RunState } from './status.js'

/** runsv's full notion of want; status bytes fold 'exit' into 'd', stat spells it out. */
export type Want = 'up' | 'down' | 'exit'

export interface StatFields {
  state: RunState
  paused: boolean
  gotTerm: boolean
  want: Want
}

/** "down|run|finish[, paused][, got TERM][, want down|, want exit]\n"; want only when not down. */
export function formatStat (s: StatFields): string {
  let line: string = s.state
  if (s.paused) line += ', paused'
  if (s.gotTerm) line += ', got TERM'
  if (s.state !== 'down') {
    if (s.want === 'down') line += ', want down'
    else if (s.want === 'exit') line += ', want exit'
  }
  return line + '\n'
}
