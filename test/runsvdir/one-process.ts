// runsvdir -1: every supervisor inside the runsvdir process, each with its own supervise/.
import t from 'tap'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, alive } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit } from '../helpers/runit.js'
import { childrenOf } from '../helpers/bin.js'
import { startRunsvdir, makeService, servicePid, cmdline, exited } from './tree.js'

t.test('services run under one process; a broken service does not stop the others', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const good = makeService(scan, 'good')
  const broken = makeService(scan, 'broken')
  writeFileSync(join(broken, 'supervise'), '') // a file where supervise/ should be: fatal at start
  const r = startRunsvdir(t, ['-1', scan], { services: [good] })
  await until(() => stat(good), s => s === 'run\n', { what: 'good stat' })
  const svc = servicePid(good)
  t.ok(alive(svc), 'the good service runs')
  t.notOk(childrenOf(r.pid).some(p => cmdline(p).includes('runsv')), 'no runsv processes')
  await until(() => r.stderr(), e => (e.match(/runsv broken: fatal: unable to open supervise\/lock: not a directory\n/g) ?? []).length >= 2,
    { what: 'stderr', timeout: 5000 })
  t.equal(stat(good), 'run\n', 'the good one is untouched by the retries')

  const late = makeService(join(base, 'sv'), 'late')
  symlinkSync(late, join(scan, 'late'))
  await until(() => stat(late), s => s === 'run\n', { what: 'late stat' })

  const sv = await runBin('sv', ['status', join(scan, 'good')])
  t.match(sv.stdout, /^run: .*good: \(pid \d+\) \d+s\n$/)
  process.kill(r.pid, 'SIGTERM')
  t.same(await exited(r), [0, null], 'TERM exits 0')
  t.notOk(alive(svc), 'and, in one process, stops the services (they cannot outlive their supervisor)')
  t.equal(stat(good), 'down\n')
})

t.test('runit\'s sv controls a hosted supervisor; HUP stops everything and exits 111', needRunit(), async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const a = makeService(scan, 'a')
  const b = makeService(scan, 'b')
  const r = startRunsvdir(t, ['-1', scan], { services: [a, b] })
  await until(() => stat(a) + stat(b), s => s === 'run\nrun\n', { what: 'stat' })
  const sv = runitBin('sv')!
  const down = await runBin('sv', ['-w', '5', 'down', join(scan, 'a')], { exe: sv })
  t.equal(down.code, 0)
  t.match(down.stdout, /^ok: down: .*a: \d+s, normally up\n$/)
  t.equal(stat(b), 'run\n')
  const up = await runBin('sv', ['-w', '5', 'up', join(scan, 'a')], { exe: sv })
  t.match(up.stdout, /^ok: run: .*a: \(pid \d+\) \d+s\n$/)
  const pids = [servicePid(a), servicePid(b)]
  process.kill(r.pid, 'SIGHUP')
  t.same(await exited(r), [111, null])
  t.same(pids.map(alive), [false, false], 'no service left behind')
})

t.test('1,000 services at once: every one runs (the start-up scripts stay under the kernel\'s argument limit)', async t => {
  const base = t.testdir()
  const scan = join(base, 'service-with-a-rather-long-directory-name-so-that-the-paths-add-up')
  mkdirSync(scan)
  const dirs = Array.from({ length: 1000 }, (_, i) => makeService(scan, `service-number-${i}`))
  const r = startRunsvdir(t, ['-1', scan], { services: dirs })
  await until(() => dirs.filter(d => stat(d) !== 'run\n').length, n => n === 0, { what: 'services not running', timeout: 120_000, interval: 200 })
  t.equal(r.stderr(), '', 'nothing said')
  const pids = dirs.map(servicePid)
  t.equal(pids.filter(p => p > 0).length, 1000, 'a pid each')
  process.kill(r.pid, 'SIGHUP')
  const [code] = await exited(r)
  t.equal(code, 111)
  t.same(pids.filter(alive), [], 'every service stopped')
})
