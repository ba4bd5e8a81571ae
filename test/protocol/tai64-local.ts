// The tai64nlocal filter is the same however its input is cut into chunks.
import t from 'tap'
import { Tai64nLocal, tai64nLocalLine, formatLocalTai } from '../../lib/protocol/tai64-local.js'

const whole = (input: Buffer): string => {
  const f = new Tai64nLocal()
  return Buffer.concat([f.push(input), f.end()]).toString('latin1')
}

t.test('any cut of the input gives the same output', async t => {
  const input = Buffer.from('@400000006932f5c10a3b2c1c a\nplain\n@40000000000000000000000a\n@abc z\nx @4000 y\n@4000000069', 'latin1')
  const expected = whole(input)
  for (let cut = 0; cut <= input.length; cut++) {
    const f = new Tai64nLocal()
    const out = Buffer.concat([f.push(input.subarray(0, cut)), f.push(input.subarray(cut)), f.end()])
    t.equal(out.toString('latin1'), expected, `cut at ${cut}`)
  }
  const f = new Tai64nLocal()
  const bytewise = Buffer.concat([...input].map(b => f.push(Buffer.from([b]))).concat(f.end()))
  t.equal(bytewise.toString('latin1'), expected, 'one byte at a time')
})

t.test('labels that localtime cannot show pass through; a cut label at EOF is dropped', async t => {
  t.equal(whole(Buffer.from('@abc x\n@\n')), '@abc x\n@\n')
  t.equal(whole(Buffer.from('a\n@4000000069')), 'a\n')
  t.equal(formatLocalTai(1n << 62n, 0), null)
})

t.test('one line through the filter', async t => {
  t.match(tai64nLocalLine('@400000006932f5c10a3b2c1c hi'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.171650076 hi$/)
  t.equal(tai64nLocalLine('no label'), 'no label')
})
