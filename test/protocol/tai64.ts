import t from 'tap'
import { taiNow, packTai64n, unpackTai64n, formatTai64nText, TAI64_EPOCH } from '../../build/protocol/tai64.js'

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
