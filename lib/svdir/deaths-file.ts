// supervise/deaths (not runit's; its sv ignores it): runsv's record of the last ends of the main
// service's runs, oldest first, one line each:
//   "<start> <end> <code> <signal>[c] <next>\n"
// start and end as TAI64N text (the start and the exit of ./run), code -1 when a signal ended it,
// signal 0 when it exited, `c` after the signal when the kernel wrote a core dump (known for
// adopted daemons only), next what runsv did then ("restart", or why not: "normal-exit",
// "respawn-limit", "finish-125", "down", "exit"). Kept to the last max-death-tally lines (s6's
// name, default 100), rewritten whole (write-then-rename) at each death, so it survives runsv.

import { readFileSync } from 'node:fs'
import { writeAtomic } from '../os/atomic-write.js'
import { formatTai64nText, unpackTai64n, type Tai } from '../protocol/tai64.js'
import { readOptional, parseDecimal } from './optional-file.js'
import type { SvPaths } from './layout.js'

export interface DeathLine {
  started: Tai
  ended: Tai
  code: number
  signal: number
  /** a core dump was written (known for adopted daemons only) */
  core?: boolean
  next: string
}

export const DEFAULT_DEATH_TALLY = 100
export const MAX_DEATH_TALLY = 4096

export function formatDeath (d: DeathLine): string {
  return `${formatTai64nText(d.started)} ${formatTai64nText(d.ended)} ${d.code} ${d.signal}${d.core === true ? 'c' : ''} ${d.next}\n`
}

const LINE = /^@([0-9a-f]{24}) @([0-9a-f]{24}) (-?\d+) (\d+)(c?) ([a-z0-9-]+)$/

/** The lines of the file that parse; others are skipped. */
export function parseDeaths (text: string): DeathLine[] {
  const out: DeathLine[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (m === null) continue
    out.push({
      started: unpackTai64n(Buffer.from(m[1]!, 'hex')),
      ended: unpackTai64n(Buffer.from(m[2]!, 'hex')),
      code: Number(m[3]),
      signal: Number(m[4]),
      ...(m[5] === 'c' ? { core: true } : {}),
      next: m[6]!
    })
  }
  return out
}

/** max-death-tally: how many lines to keep (0 keeps none); NaN for a bad file. Throws read errors. */
export function deathTally (p: Pick<SvPaths, 'maxDeathTally'>): number {
  const text = readOptional(p.maxDeathTally)
  if (text === null) return DEFAULT_DEATH_TALLY
  const n = parseDecimal(text)
  return n === null || n > MAX_DEATH_TALLY ? Number.NaN : n
}

/** The record as it is; empty without the file. Throws other read errors. */
export function readDeaths (p: Pick<SvPaths, 'deaths'>): DeathLine[] {
  const text = readOptional(p.deaths)
  return text === null ? [] : parseDeaths(text)
}

/** runsv: adds a death and keeps the last `keep`. */
export function recordDeath (p: Pick<SvPaths, 'deaths' | 'tmp'>, d: DeathLine, keep: number): void {
  let old: string
  try {
    old = readFileSync(p.deaths, 'utf8')
  } catch {
    old = ''
  }
  const lines = [...old.split('\n').filter(l => LINE.test(l)).map(l => l + '\n'), formatDeath(d)]
  writeAtomic(p.deaths, p.tmp(p.deaths), lines.slice(Math.max(0, lines.length - keep)).join(''))
}
