// The pure parts of runit: its arguments, the critical-service watch over supervise/deaths.
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from '../../build/cli/runit.js'
import { CriticalWatch, failureCode } from '../../build/init/critical.js'
import { recordDeath, type DeathLine } from '../../build/svdir/deaths-file.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { taiNow } from '../../build/protocol/tai64.js'
import { exitCode } from '../../build/init/children.js'

t.test('arguments', async t => {
  t.same(parseArgs([]), { mode: 'stages' })
  t.same(parseArgs(['--container']), { mode: 'container', cmd: undefined })
  t.same(parseArgs(['--container', '--']), { mode: 'container', cmd: undefined })
  t.same(parseArgs(['--container', '--', 'node', '-e', '0']), { mode: 'container', cmd: ['node', '-e', '0'] })
  t.same(parseArgs(['--container', 'sh', '--', 'x']), { mode: 'container', cmd: ['sh', '--', 'x'] })
  t.throws(() => parseArgs(['-c']), { name: 'UsageError' })
  t.throws(() => parseArgs(['2']), { name: 'UsageError' })
})

t.test('exit codes of endings', async t => {
  t.equal(exitCode({ code: 3, signal: null }), 3)
  t.equal(exitCode({ code: null, signal: 'SIGTERM' }), 143)
  t.equal(exitCode({ error: new Error('ENOENT') }), 127)
})

t.test('critical: only new failures that were not asked for, only in services marked critical', async t => {
  const dir = t.testdir()
  const death = (ms: number, code: number, signal: number, next: string): DeathLine =>
    ({ started: taiNow(ms - 1000), ended: taiNow(ms), code, signal, next })
  for (const name of ['db', 'web']) {
    mkdirSync(join(dir, name, 'supervise'), { recursive: true })
  }
  writeFileSync(join(dir, 'db', 'critical'), '')
  const db = servicePaths(join(dir, 'db'))
  const web = servicePaths(join(dir, 'web'))
  const base = Date.now()
  recordDeath(db, death(base, 1, 0, 'restart'), 100) // before the watch: does not count
  const watch = new CriticalWatch(dir)
  t.equal(watch.poll(), undefined, 'the first look only notes what is there')
  recordDeath(web, death(base + 1000, 1, 0, 'restart'), 100)
  t.equal(watch.poll(), undefined, 'web is not critical')
  recordDeath(db, death(base + 2000, 0, 0, 'restart'), 100)
  t.equal(watch.poll(), undefined, 'exit 0 is no failure')
  recordDeath(db, death(base + 3000, -1, 15, 'down'), 100)
  t.equal(watch.poll(), undefined, 'sv down\'s TERM is no failure')
  recordDeath(db, death(base + 4000, -1, 9, 'restart'), 100)
  const f = watch.poll()
  t.equal(f?.name, 'db')
  t.equal(failureCode(f!.death), 137)
  t.equal(watch.poll(), undefined, 'reported once')
  recordDeath(db, death(base + 5000, 4, 0, 'restart'), 100)
  t.equal(failureCode(watch.poll()!.death), 4)
})
