import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { alive, killQuietly } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startRunsvdir, makeService, servicePid, nodeOnlyPath } from './tree.js'
import { processStartSeconds } from '../../build/os/proc.js'

t.test('a runsv that dies is replaced, about a second later', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc')
  const r = startRunsvdir(t, [scan], { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  const [first] = r.runsvs()
  t.ok(first !== undefined && alive(first), 'one runsv')
  // runsv killed outright leaves its service running; runit's next runsv starts a second one
  // beside it, ours stops it first.
  const orphan = servicePid(svc)
  t.teardown(() => { killQuietly(orphan, 'SIGKILL') })
  const t0 = performance.now()
  process.kill(first!, 'SIGKILL')
  const [second] = await until(() => r.runsvs(), l => l.length === 1 && l[0] !== first, { what: 'runsvs' })
  t.comment(`respawn: runsv killed to new runsv in ${(performance.now() - t0).toFixed(0)} ms`)
  await until(() => servicePid(svc), p => p > 0 && p !== orphan, { what: 'new service pid' })
  t.equal(processStartSeconds(orphan), null, 'the orphan was stopped before the new run started')
  const said = `runsv svc: warning: ./run left running by an earlier runsv (pid ${orphan}): stopping it\n`
  await until(() => r.stderr(), e => e.includes(said), { what: 'the warning' })
  t.equal(stat(svc), 'run\n')
  t.ok(alive(second!), 'the new runsv runs')
})

t.test('a runsv that cannot start is retried (with runit\'s message), not given up', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  makeService(scan, 'svc')
  const r = startRunsvdir(t, [scan], { path: nodeOnlyPath(t) })
  const line = `runsvdir ${scan}: fatal: unable to start runsv svc: file does not exist\n`
  await until(() => r.stderr().split(line).length - 1, n => n >= 2, { what: 'failed starts' })
  t.equal(r.child.exitCode, null, 'runsvdir keeps running')
  t.same(r.stderr().split(line).join(''), '', 'nothing else said')
})
