// svlogd's three stamp formats (golden strings, svlogd(8), -t), and the man page's SYNOPSIS = usage.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatLogStamp, taiNow } from '../../build/protocol/tai64.js'
import { USAGE } from '../../build/cli/svlogd.js'
import { ROOT } from '../helpers/bin.js'

t.test('-t, -tt, -ttt stamps of one instant', async t => {
  const at = { sec: 1795315563, nano: 289941500 } // 2026-11-22T02:46:03.289941500Z
  t.equal(formatLogStamp(at, 't'), '@400000006b025775114827fc', 'the spec\'s TAI64N example')
  t.equal(formatLogStamp(at, 'tt'), '2026-11-22_02:46:03.28994', 'fraction truncated to 5 digits')
  t.equal(formatLogStamp(at, 'ttt'), '2026-11-22T02:46:03.28994')
  t.equal(formatLogStamp({ sec: 0, nano: 500 }, 'tt'), '1970-01-01_00:00:00.00000', 'zero padding')
  t.equal(formatLogStamp(taiNow(Date.UTC(2031, 0, 2, 3, 4, 5, 67)), 'ttt'), '2031-01-02T03:04:05.06700', 'millisecond clock: …00 at the end')
  for (const style of ['t', 'tt', 'ttt'] as const) t.equal(formatLogStamp(taiNow(), style).length, 25, `${style}: always 25 characters`)
})

t.test('the man page\'s SYNOPSIS is the usage line', async t => {
  const man = readFileSync(join(ROOT, 'man', 'svlogd.8'), 'utf8').split('\n')
  const synopsis = man[man.indexOf('.SH SYNOPSIS') + 1]?.replaceAll('\\-', '-')
  t.equal(synopsis, USAGE)
})
