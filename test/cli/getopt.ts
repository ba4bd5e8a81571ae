// POSIX getopt as the C tools parse their options (lib/cli/getopt.ts), and runit's scan_ulong.
import t from 'tap'
import { getopt, scanUlong } from '../../build/cli/getopt.js'
import { UsageError } from '../../build/errors/errors.js'

t.test('bundled flags, an option argument attached or separate, counts of repeated flags', async t => {
  const r = getopt(['-vw5', '-v', '-w', '7', 'up', 'svc'], 'w:vV')
  t.same([...r.opts], [['v', 2], ['w', '7']], 'the last argument wins; flags count')
  t.same(r.rest, ['up', 'svc'])
  t.same(r.order, [{ letter: 'v' }, { letter: 'w', value: '5' }, { letter: 'v' }, { letter: 'w', value: '7' }])
})

t.test('options stop at the first operand, at "--" and at a lone "-"', async t => {
  t.same(getopt(['up', '-v'], 'v').rest, ['up', '-v'])
  t.same(getopt(['-v', '--', '-w'], 'vw').rest, ['-w'])
  t.same(getopt(['-', '-v'], 'v').rest, ['-', '-v'])
  t.equal(getopt(['-v', '--', '-w'], 'vw').opts.has('w'), false)
})

t.test('an unknown option or a missing argument is a UsageError in getopt\'s words', async t => {
  t.throws(() => getopt(['-z'], 'v'), new UsageError('illegal option -- z'))
  t.throws(() => getopt(['-:'], 'w:'), new UsageError('illegal option -- :'), 'the colon is not an option')
  t.throws(() => getopt(['-w'], 'w:'), new UsageError('option requires an argument -- w'))
  t.type((() => { try { getopt(['-z'], '') } catch (e) { return e } })(), UsageError)
})

t.test('scanUlong takes the leading digits, 0 for none', async t => {
  t.equal(scanUlong('15'), 15)
  t.equal(scanUlong('7s'), 7)
  t.equal(scanUlong('x7'), 0)
  t.equal(scanUlong(''), 0)
  t.equal(scanUlong('-3'), 0)
})
