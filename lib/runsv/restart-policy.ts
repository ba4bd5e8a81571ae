// The service directory's optional restart policy (runsv(8), RESTART POLICY; runit has none of
// these files): `restart-backoff` (the longest pause, in seconds, of a pause that doubles from
// runit's 1 s), `respawn-limit` (Upstart's `COUNT INTERVAL`, and `retry=SECONDS`), `normal-exit`
// (Upstart's exit codes and signal names). Read at each exit of the main service, so an edit
// counts from the next one; a bad file is said in one line and runit's behaviour kept.

import { readOptionalOrSay, parseDecimal } from '../svdir/optional-file.js'
import { parseSignal, signalNumber, signalWord } from '../os/signals.js'
import { RUNIT_RESTART, type RestartPolicy, type DownReason } from './state.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'

type PolicyPaths = Pick<SvPaths, 'restartBackoff' | 'respawnLimit' | 'normalExit'>

export function readRestartPolicy (paths: PolicyPaths, say: Say): RestartPolicy {
  return {
    backoffMaxMs: readBackoff(paths.restartBackoff, say),
    ...readNormalExit(paths.normalExit, say),
    limit: readLimit(paths.respawnLimit, say)
  }
}

function readBackoff (path: string, say: Say): number {
  const text = readOptionalOrSay(path, 'restart-backoff', say)
  if (text === null) return RUNIT_RESTART.backoffMaxMs
  const sec = parseDecimal(text)
  if (sec !== null) return sec * 1000
  say.warn(`restart-backoff: not a number of seconds: ${text.trim()}`)
  return RUNIT_RESTART.backoffMaxMs
}

/** Exit codes (decimal, 0 to 255) and signals (names, as Upstart's TERM HUP, with or without SIG). */
export function parseNormalExit (text: string): Pick<RestartPolicy, 'normalCodes' | 'normalSignals'> | null {
  const codes: number[] = []
  const signals: number[] = []
  for (const word of text.split(/\s+/).filter(w => w !== '')) {
    if (/^\d+$/.test(word)) {
      const code = Number(word)
      if (code > 255) return null
      codes.push(code)
    } else {
      const sig = /^[A-Za-z][A-Za-z0-9+]*$/.test(word) ? parseSignal(word) : null
      if (sig === null) return null
      signals.push(signalNumber(sig))
    }
  }
  return { normalCodes: codes, normalSignals: signals }
}

function readNormalExit (path: string, say: Say): Pick<RestartPolicy, 'normalCodes' | 'normalSignals'> {
  const none = { normalCodes: RUNIT_RESTART.normalCodes, normalSignals: RUNIT_RESTART.normalSignals }
  const text = readOptionalOrSay(path, 'normal-exit', say)
  if (text === null) return none
  const parsed = parseNormalExit(text)
  if (parsed === null) say.warn(`normal-exit: not exit codes and signal names: ${text.trim()}`)
  return parsed ?? none
}

/** `COUNT INTERVAL [retry=SECONDS]`, or Upstart's `unlimited`; null for anything else. */
export function parseRespawnLimit (text: string): RestartPolicy['limit'] | 'bad' {
  const words = text.trim().split(/\s+/)
  if (words.length === 1 && words[0] === 'unlimited') return null
  if (words.length < 2 || words.length > 3) return 'bad'
  const count = parseDecimal(words[0]!)
  const interval = parseDecimal(words[1]!)
  const retry = words[2] === undefined ? 0 : /^retry=\d+$/.test(words[2]) ? Number(words[2].slice(6)) : null
  if (count === null || interval === null || retry === null) return 'bad'
  // Upstart: COUNT or INTERVAL 0 means no limit
  if (count === 0 || interval === 0) return null
  return { count, intervalMs: interval * 1000, retryMs: retry * 1000 }
}

function readLimit (path: string, say: Say): RestartPolicy['limit'] {
  const text = readOptionalOrSay(path, 'respawn-limit', say)
  if (text === null) return RUNIT_RESTART.limit
  const parsed = parseRespawnLimit(text)
  if (parsed !== 'bad') return parsed
  say.warn(`respawn-limit: not COUNT INTERVAL [retry=SECONDS]: ${text.trim()}`)
  return RUNIT_RESTART.limit
}


/** The reason as sv status prints it after runit's line (supervise/reason). */
export function reasonText (r: DownReason): string {
  switch (r.kind) {
    case 'normal-exit':
      return `normal exit (${r.signal === 0 ? `exit ${r.code}` : `signal ${signalWord(r.signal)}`})`
    case 'respawn-limit':
      return `respawn limit reached (${r.starts} starts in ${r.intervalMs / 1000}s)` +
        (r.retryMs > 0 ? `, retry after ${r.retryMs / 1000}s` : '')
    case 'finish-125':
      return './finish exited 125'
  }
}
