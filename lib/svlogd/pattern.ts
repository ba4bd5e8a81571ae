// svlogd's pattern matcher (runit's pmatch) and the per-directory selection (+ - e E, last match
// wins), as svlogd(8) PATTERN MATCHING describes them. Pure functions over bytes.

export type Select = '+' | '-'
export type SelectErr = 'e' | 'E'

export interface Instruction {
  /** '+' select, '-' deselect (log directory); 'e' select, 'E' deselect (standard error) */
  op: '+' | '-' | 'e' | 'E'
  pattern: Buffer
}

const STAR = 0x2a
const PLUS = 0x2b

/**
 * Does `pat` match line[start, start+len)? Anchored, left to right, no backtracking. Unlike
 * runit, an exhausted line does not match "+c" (runit compared c with a stale buffer byte:
 * svlogd(8), DIFFERENCES FROM RUNIT 2.1.2); a "+" at the very end of a pattern never matches
 * (runit compares it with a NUL byte).
 */
export function pmatch (pat: Uint8Array, line: Uint8Array, start: number, len: number): boolean {
  let p = 0
  let s = start
  const end = start + len
  for (;;) {
    if (p >= pat.length) return s >= end
    const c = pat[p++]!
    if (c === STAR) {
      if (p >= pat.length) return true
      const want = pat[p]!
      for (;;) {
        if (s >= end) return false
        if (line[s] === want) break
        s++
      }
      continue
    }
    if (c === PLUS) {
      if (p >= pat.length) return false
      const want = pat[p++]!
      if (s >= end || line[s] !== want) return false
      for (;;) {
        if (s >= end) return true
        if (line[s] !== want) break
        s++
      }
      continue
    }
    if (s >= end || line[s] !== c) return false
    s++
  }
}

export interface Selection {
  /** '+': the line goes to the log directory (and its UDP target) */
  match: Select
  /** 'e': the line is echoed on standard error */
  matcherr: SelectErr
}

/** Runs a directory's instructions in config order over the line; the last match wins for each. */
export function select (
  instructions: readonly Instruction[], line: Uint8Array, start: number, len: number, into: Selection
): Selection {
  into.match = '+'
  into.matcherr = 'E'
  for (const ins of instructions) {
    if (!pmatch(ins.pattern, line, start, len)) continue
    if (ins.op === '+' || ins.op === '-') into.match = ins.op
    else into.matcherr = ins.op
  }
  return into
}
