// The service directory's optional stop policy (s6's file names): `down-signal` holds the signal
// that d and x send instead of TERM, `timeout-kill` the ms after which a run that has not died
// gets KILL, `timeout-finish` the ms after which ./finish does. Read at each stop (or start of
// ./finish), so an edit counts from the next one; runit has none of these files.

import { readOptionalOrSay, parseDecimal } from '../svdir/optional-file.js'
import { parseSignal } from '../os/signals.js'
import { RUNIT_STOP, type StopPolicy } from './state.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'

export function readStopPolicy (paths: Pick<SvPaths, 'downSignal' | 'timeoutKill'>, say: Say): StopPolicy {
  let signal = RUNIT_STOP.signal
  const text = readOptionalOrSay(paths.downSignal, 'down-signal', say)
  if (text !== null) {
    const parsed = parseSignal(text)
    if (parsed === null) say.warn(`down-signal: no such signal: ${text.trim()}; sending TERM`)
    else signal = parsed
  }
  return { signal, killAfterMs: readMs(paths.timeoutKill, 'timeout-kill', say) ?? RUNIT_STOP.killAfterMs }
}

/** timeout-finish: after how many ms a ./finish still running gets KILL (0: never, as runit). */
export function readFinishTimeout (paths: Pick<SvPaths, 'timeoutFinish'>, say: Say): number {
  return readMs(paths.timeoutFinish, 'timeout-finish', say) ?? 0
}

/** A number of milliseconds from the file; null without it or with anything else (said). */
function readMs (path: string, label: string, say: Say): number | null {
  const text = readOptionalOrSay(path, label, say)
  if (text === null) return null
  const ms = parseDecimal(text)
  if (ms === null) say.warn(`${label}: not a number of milliseconds: ${text.trim()}`)
  return ms
}

