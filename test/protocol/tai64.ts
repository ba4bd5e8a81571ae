import t from 'tap'
import { taiNow, taiFromMicros, wallMicros, packTai64n, unpackTai64n, formatTai64nText, TAI64_EPOCH } from '../../build/protocol/tai64.js'

t.test('TAI64N packing', async t => {
  t.equal(TAI64_EPOCH, 0x400000000000000an)
  const now = taiNow(1_795_000_000_123)
  t.same(now, { sec: 1_795_000_000, nano: 123_000_500 }, 'runit-shaped nanoseconds')
  const packed = packTai64n(now)
  t.equal(packed.length, 12)
  t.same(unpackTai64n(packed), now)
  t.match(formatTai64nText(now), /^@4000000[0-9a-f]{17}$/)
  t.equal(formatTai64nText({ sec: 0x6b025775 - 10, nano: 0x114827fc }), '@400000006b025775114827fc', 'the spec\'s example')
})

t.test('wallMicros: microseconds inside the millisecond Date.now() gives, never backwards', async t => {
  let last = 0
  let subMs = 0
  for (let i = 0; i < 2000; i++) {
    const low = Date.now() * 1000
    const us = wallMicros()
    const high = Date.now() * 1000 + 999
    if (us < low || us > high || us < last) t.fail(`${us} outside ${low}..${high} or before ${last}`)
    if (us % 1000 !== 0) subMs++
    last = us
    if (i % 100 === 0) await new Promise(resolve => setTimeout(resolve, 1))
  }
  t.ok(subMs > 0, 'not a millisecond clock')
  t.same(taiFromMicros(1_795_000_000_123_456), { sec: 1_795_000_000, nano: 123_456_500 }, 'runit-shaped nanoseconds')
})
