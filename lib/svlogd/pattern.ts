// svlogd's pattern matcher (runit's pmatch): anchored, left to right, no backtracking; and the
// per-directory selection (+ - e E instructions, last match wins). Pure functions over bytes.
//
// Pattern language (svlogd(8)):
//   c      an ordinary byte must equal the next input byte
//   *      at the end of the pattern: matches the rest of the line
//   *c     skips input up to the FIRST c (fails if there is none); c is then matched normally
//   +c     the next input byte must be c; further consecutive c's are skipped. As in runit, when
//          this run reaches the end of the line the match succeeds, whatever pattern is left.
//   end    succeeds iff the input is exhausted
// runit compares "+c" with the byte after the line when the line is already exhausted (a stale
// buffer byte, spec §10.14); here an exhausted line simply does not match "+c". A "+" at the very
// end of a pattern never matches (runit compares it with a NUL byte).

export type Select = '+' | '-'
export type SelectErr = 'e' | 'E'

export interface Instruction {
  /** '+' select, '-' deselect (log directory); 'e' select, 'E' deselect (standard error) */
  op: '+' | '-' | 'e' | 'E'
  pattern: Buffer
}

const STAR = 0x2a
const PLUS = 0x2b

/** Does `pat` match line[start, start+len)? */
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
export function select (instructions: readonly Instruction[], line: Uint8Array, start: number, len: number, into: Selection): Selection {
  into.match = '+'
  into.matcherr = 'E'
  for (const ins of instructions) {
    if (!pmatch(ins.pattern, line, start, len)) continue
    if (ins.op === '+' || ins.op === '-') into.match = ins.op
    else into.matcherr = ins.op
  }
  return into
}
