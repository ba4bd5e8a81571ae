import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, watch, writeFileSync } from 'node:fs'
import { startBin } from '../helpers/bin.js'
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
