// The service directory's optional stop policy (s6's file names): `down-signal` holds the signal
// that d and x send instead of TERM, `timeout-kill` the ms after which a run that has not died
// gets KILL. Read at each stop, so an edit counts from the next one; runit has neither file.

import { readFileSync, statSync } from 'node:fs'
import { parseSignal } from '../os/signals.js'
import { RUNIT_STOP, type StopPolicy } from './state.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'

export function readStopPolicy (paths: Pick<SvPaths, 'downSignal' | 'timeoutKill'>, say: Say): StopPolicy {
  let signal = RUNIT_STOP.signal
  let killAfterMs = RUNIT_STOP.killAfterMs
  const text = readOptional(paths.downSignal, 'down-signal', say)
  if (text !== null) {
    const parsed = parseSignal(text)
    if (parsed === null) say.warn(`down-signal: no such signal: ${text.trim()}; sending TERM`)
    else signal = parsed
  }
  const ms = readOptional(paths.timeoutKill, 'timeout-kill', say)
  if (ms !== null) {
    if (/^\s*\d+\s*$/.test(ms)) killAfterMs = Number(ms)
    else say.warn(`timeout-kill: not a number of milliseconds: ${ms.trim()}`)
  }
  return { signal, killAfterMs }
}

/** The file's text, or null when it does not exist (probed without a thrown ENOENT: this is on
 * the path of every d) or cannot be read (said). */
function readOptional (path: string, label: string, say: Say): string | null {
  try {
    if (statSync(path, { throwIfNoEntry: false }) === undefined) return null
    return readFileSync(path, 'utf8')
  } catch (err) {
    say.warn(`unable to read ${label}`, err)
    return null
  }
}
