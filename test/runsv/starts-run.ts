import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, watch, writeFileSync } from 'node:fs'
import { startBin, ONE_PROCESS } from '../helpers/bin.js'
import { shownAs } from '../helpers/ps.js'
import { runitBin } from '../helpers/runit.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

t.test('runsv starts ./run and publishes run in stat and pid', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })

  const r = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' }).catch(e => { t.comment(r.stderr()); throw e })
  const pid = pidOf(dir)
  t.ok(pid > 0, 'pid file names the service')
  t.equal(readText(join(dir, 'supervise', 'pid')), `${pid}\n`)
})

// runit writes a down record at start-up and the run record a moment later; ours starts the
// service first and writes one record (runsv(8)). inotify reports events in order, so once the
// marker we write after "run" has arrived, every rename runsv made before it has been seen.
for (const impl of ['ours', 'runit'] as const) {
  const exe = impl === 'runit' ? runitBin('runsv') : undefined
  t.test(`records written at start-up (${impl}'s runsv)`, { skip: impl === 'runit' && exe === undefined ? 'no runit runsv' : false }, async t => {
    const dir = service(t, { run: 'exec sleep 1000' })
    const supervise = join(dir, 'supervise')
    mkdirSync(supervise, { mode: 0o700 })
    const renamedTo: string[] = []
    const watcher = watch(supervise, (_event, name) => { if (name !== null) renamedTo.push(name) })
    t.teardown(() => { watcher.close() })
    startBin(t, 'runsv', [dir], { services: [dir], exe })
    await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
    writeFileSync(join(supervise, 'marker'), '')
    await until(() => renamedTo, names => names.includes('marker'), { what: 'the marker event' })
    // each rename of stat.new over stat shows up once under the name "stat"
    t.equal(renamedTo.filter(n => n === 'stat').length, impl === 'ours' ? 1 : 2)
  })
}

// runit's names for ps, pidof and pgrep -x: `runsv dir` per service, or, hosted in one process,
// the runsvdir that was started (`runsvdir -1 scan`), the arguments as given.
t.test('ps, pidof and pgrep -x see runsv by its name and runit\'s command line', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  const r = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const name = ONE_PROCESS ? 'runsvdir' : 'runsv'
  await shownAs(t, r.pid, name, [name, ...r.child.spawnargs.slice(1)])
  if (!ONE_PROCESS) t.same(r.child.spawnargs.slice(1), [dir])
})
