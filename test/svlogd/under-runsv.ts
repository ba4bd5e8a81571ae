// The everyday setup: runsv runs a service whose log/run is `exec svlogd -tt <dir>`.
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { startBin, BIN } from '../helpers/bin.js'
import { service, shq, stat } from '../helpers/svdir.js'
import { readCurrent } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'

t.test('a service\'s output reaches log/main/current through runsv\'s log pipe, stamped', async t => {
  const dir = service(t, {
    run: 'i=0; while [ $i -lt 3 ]; do echo "tick $i"; i=$((i+1)); done; exec sleep 1000',
    log: `exec ${shq(join(BIN, 'svlogd.js'))} -tt main`
  })
  mkdirSync(join(dir, 'log', 'main'))
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const current = join(dir, 'log', 'main')
  const text = await until(() => readCurrent(current), c => c.split('\n').length === 4, { what: 'current' })
  t.same(text.split('\n').map(l => l.slice(26)), ['tick 0', 'tick 1', 'tick 2', ''])
  t.match(text, /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d{5} tick 0\n/)
})
