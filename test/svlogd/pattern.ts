// runit's pattern matching (svlogd(8), PATTERN MATCHING): anchored, no backtracking, * and + rules, last match wins.
import t from 'tap'
import { pmatch, select, type Instruction } from '../../build/svlogd/pattern.js'

const m = (pat: string, line: string): boolean => {
  const b = Buffer.from(line)
  return pmatch(Buffer.from(pat), b, 0, b.length)
}

t.test('the spec\'s tcpsvd example: * stops at the first occurrence', async t => {
  const line = 'tcpsvd: info: pid 1977 from 10.0.0.1'
  t.notOk(m('*pid*', line), '*pid* stops at the p of tcpsvd and fails')
  t.ok(m('*: *: pid *', line))
})

t.test('ordinary characters and anchoring', async t => {
  t.ok(m('abc', 'abc'))
  t.notOk(m('abc', 'abcd'), 'anchored at the end')
  t.notOk(m('bc', 'abc'), 'anchored at the start')
  t.ok(m('', ''), 'empty pattern matches the empty line only')
  t.notOk(m('', 'x'))
  t.notOk(m('abc', 'ab'))
})

t.test('star', async t => {
  t.ok(m('*', ''), 'trailing * matches anything, even nothing')
  t.ok(m('*', 'anything at all'))
  t.ok(m('a*', 'abc'))
  t.ok(m('*c', 'abc'))
  t.notOk(m('*c', 'abcd'), 'after the first c the line must end')
  t.notOk(m('*x', 'abc'), 'no x: fails')
  t.notOk(m('*ab', 'aab'), 'no backtracking: * stops at the first a, then "ab" meets "aa"')
  t.ok(m('*b*b', 'abab'))
  t.ok(m('*b*', 'abab'))
  t.ok(m('**x', 'a*bx'), 'a * after * is again a star (it skips to the next "*" first)')
  t.notOk(m('**x', 'abx'))
})

t.test('plus', async t => {
  t.ok(m('+a', 'a'))
  t.ok(m('+a', 'aaaa'), 'one or more')
  t.notOk(m('+a', ''), 'at least one')
  t.notOk(m('+a', 'b'))
  t.ok(m('x+yz', 'xyyyz'))
  t.notOk(m('x+yz', 'xz'))
  t.ok(m('+ab', 'aab'))
  t.ok(m('+ab', 'aaa'), 'as runit: a + run reaching the end of the line ends the match successfully')
  t.notOk(m('a+', 'a'), 'a + at the end of the pattern never matches')
})

t.test('the stale-byte over-read of runit is fixed (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2)', async t => {
  // runit matched "x" against "x+y" when the previous line was "xy": it read the byte after the line.
  const buf = Buffer.from('xy')
  t.notOk(pmatch(Buffer.from('x+y'), buf, 0, 1), 'the byte after the line is not looked at')
  t.notOk(pmatch(Buffer.from('foo+o'), Buffer.from('fooooo'), 0, 3))
  t.ok(pmatch(Buffer.from('foo'), Buffer.from('fooooo'), 0, 3), 'matching works on a window of a buffer')
})

t.test('select: config order, the last matching instruction wins for each kind', async t => {
  const ins = (lines: string[]): Instruction[] => lines.map(l => ({ op: l[0] as Instruction['op'], pattern: Buffer.from(l.slice(1)) }))
  const sel = (lines: string[], line: string): string => {
    const b = Buffer.from(line)
    const s = select(ins(lines), b, 0, b.length, { match: '+', matcherr: 'E' })
    return s.match + s.matcherr
  }
  t.equal(sel([], 'x'), '+E', 'defaults')
  t.equal(sel(['-*'], 'x'), '-E')
  t.equal(sel(['-*', '+a*'], 'abc'), '+E', 'a later + wins')
  t.equal(sel(['-*', '+a*'], 'xbc'), '-E')
  t.equal(sel(['e*', 'E*x'], 'abx'), '+E')
  t.equal(sel(['e*', 'E*x'], 'abc'), '+e')
  t.equal(sel(['-*', 'e*fatal*'], 'x: fatal: y'), '-e', 'stderr selection is independent of the dir selection')
})
