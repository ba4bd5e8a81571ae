// The service directory's optional stop policy (s6's file names): `down-signal` holds the signal
// that d and x send instead of TERM, `timeout-kill` the ms after which a run that has not died
// gets KILL, `timeout-finish` the ms after which ./finish does, and `kill-mode` (systemd's word)
// which processes a stop reaches. Read at each stop (or start of ./finish), so an edit counts from
// the next one; runit has none of these files.

import { readOptionalOrSay, parseDecimal } from '../svdir/optional-file.js'
import { parseSignal } from '../os/signals.js'
import { RUNIT_STOP, type StopPolicy, type KillMode } from './state.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'

/** Without timeout-kill, how long what remains of a service has after TERM before KILL. */
export const SWEEP_GRACE_MS = 5000

/** Without kill-mode: a stop signals the main process, and what remains once it is gone is swept
 * (runsv(8), KILL MODES). */
export const DEFAULT_KILL_MODE: KillMode = 'mixed'
const KILL_MODES: readonly KillMode[] = ['mixed', 'control-group', 'process']

export function readStopPolicy (paths: Pick<SvPaths, 'downSignal' | 'timeoutKill' | 'killMode'>, say: Say): StopPolicy {
  let signal = RUNIT_STOP.signal
  const text = readOptionalOrSay(paths.downSignal, 'down-signal', say)
  if (text !== null) {
    const parsed = parseSignal(text)
    if (parsed === null) say.warn(`down-signal: no such signal: ${text.trim()}; sending TERM`)
    else signal = parsed
  }
  return {
    signal,
    killAfterMs: readMs(paths.timeoutKill, 'timeout-kill', say) ?? RUNIT_STOP.killAfterMs,
    killMode: readKillMode(paths, say)
  }
}

/** How what remains of a service once its main process is gone is swept (runsv(8), KILL MODES):
 * null in kill mode process (runit's: nothing is touched), else the grace between TERM and KILL. */
export function readSweepPolicy (paths: Pick<SvPaths, 'timeoutKill' | 'killMode'>, say: Say): { graceMs: number } | null {
  if (readKillMode(paths, say) === 'process') return null
  const ms = readMs(paths.timeoutKill, 'timeout-kill', say) ?? 0
  return { graceMs: ms > 0 ? ms : SWEEP_GRACE_MS }
}

/** kill-mode's word; an unknown one is said and the default used. */
export function readKillMode (paths: Pick<SvPaths, 'killMode'>, say: Say): KillMode {
  const text = readOptionalOrSay(paths.killMode, 'kill-mode', say)
  if (text === null) return DEFAULT_KILL_MODE
  const word = text.trim()
  if ((KILL_MODES as readonly string[]).includes(word)) return word as KillMode
  say.warn(`kill-mode: no such mode: ${word}; using ${DEFAULT_KILL_MODE}`)
  return DEFAULT_KILL_MODE
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

