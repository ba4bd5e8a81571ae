// supervise/reason and supervise/deaths (not runit's): format, bound, and the reason's stamp.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { servicePaths } from '../../build/svdir/layout.js'
import { reasonFileText, writeReason, readReason } from '../../build/svdir/reason-file.js'
import { recordDeath, readDeaths, deathTally, formatDeath, parseDeaths } from '../../build/svdir/deaths-file.js'
import { mkdirSync } from 'node:fs'

const T = { sec: 1_700_000_000, nano: 123 }

t.test('the reason belongs to one status record', async t => {
  const p = servicePaths(t.testdir())
  mkdirSync(p.supervise)
  t.equal(readReason(p, T), null, 'no file')
  writeReason(p, reasonFileText(T, 'normal exit (exit 0)'))
  t.equal(readReason(p, T), 'normal exit (exit 0)')
  t.equal(readReason(p, { ...T, nano: 124 }), null, 'another record')
  writeReason(p, reasonFileText(T, null))
  t.equal(readReason(p, T), null, 'emptied')
})

t.test('deaths: one line each, the last max-death-tally kept, odd lines skipped', async t => {
  const p = servicePaths(t.testdir())
  mkdirSync(p.supervise)
  t.same(readDeaths(p), [])
  const d = (n: number) => ({ started: { sec: T.sec + n, nano: 0 }, ended: { sec: T.sec + n, nano: 5e8 }, code: n, signal: 0, next: 'restart' })
  t.same(parseDeaths(formatDeath(d(1))), [d(1)])
  for (let n = 0; n < 5; n++) recordDeath(p, d(n), 3)
  t.same(readDeaths(p).map(x => x.code), [2, 3, 4])
  writeFileSync(p.deaths, 'junk\n' + formatDeath(d(7)))
  t.same(readDeaths(p).map(x => x.code), [7])
  t.equal(deathTally(p), 100, 'default')
  writeFileSync(p.maxDeathTally, '5\n')
  t.equal(deathTally(p), 5)
  writeFileSync(p.maxDeathTally, '5000\n')
  t.ok(Number.isNaN(deathTally(p)), 'more than 4096')
})
