import t from 'tap'
import { join } from 'node:path'
import { startBin } from '../helpers/bin.js'
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
