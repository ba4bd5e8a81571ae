// The control letters' descriptions, which runsv's state table and sv's wait loop both read.
import t from 'tap'
import { CONTROL, isControlLetter, publishes, statusWant, type ControlLetter } from '../../build/protocol/control.js'

const letters = [...'udoxtkpchaiq12'] as ControlLetter[]

t.test('the letters of runsv(8), each with its hook', async t => {
  t.same(Object.keys(CONTROL).sort(), [...letters].sort(), 'these and no others')
  t.same(letters.map(l => CONTROL[l].hook ?? '-').join(''), '-t-ttkpchaiq12', 'd, x and t ask control/t; u and o none')
  t.notOk(isControlLetter('z'))
  t.notOk(isControlLetter('toString'))
})

t.test('which letters always publish, and the want byte they leave', async t => {
  t.same(letters.filter(publishes).join(''), 'udoxpc')
  t.same(letters.map(l => statusWant(l) ?? '-').join(','), 'up,down,down,-,-,-,-,-,-,-,-,-,-,-', 'x: exit on the main service only')
})
