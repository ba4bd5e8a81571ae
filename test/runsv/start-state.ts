// What runsv was started with reaches what it starts, as under runit: the open-files soft limit
// (Node raises its own to the hard limit) and the ignored signals (Node and libuv reset them),
// but never TERM or HUP ignored, which runit's supervisors catch.
import t from 'tap'
import { join } from 'node:path'
import { chmodSync } from 'node:fs'
import { startBin } from '../helpers/bin.js'
import { HARD_NOFILE, LOW, needLowLimit, noteState } from '../helpers/start-state.js'
import { service, stat, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

/** The limit and the mask of INT and QUIT alone (bits 2 and 3). */
const EXPECTED = '1000 0000000000000006'

t.test('./run, control/u, ./finish and log/run get the limit and ignored signals runsv was started with', needLowLimit, async t => {
  const dir = service(t, {
    run: `${noteState('./run.state')}\nexec sleep 1000`,
    finish: noteState('./finish.state'),
    log: `${noteState('../log.state')}\nexec cat > /dev/null`,
    hooks: { u: `${noteState('./hook.state')}\nexit 1` }
  })
  startBin(t, 'runsv', [dir], { services: [dir], startedWith: LOW })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const note = (name: string): Promise<string> => until(() => readText(join(dir, name)).trim(), s => s !== '', { what: name })
  t.equal(await note('run.state'), EXPECTED, './run')
  t.equal(await note('hook.state'), EXPECTED, 'control/u')
  t.equal(await note('log.state'), EXPECTED, 'log/run')
  sendControl(servicePaths(dir), 'd')
  t.equal(await note('finish.state'), EXPECTED, './finish')
})

t.test('started so, a run that cannot start still gets runit\'s message', needLowLimit, async t => {
  const dir = service(t, { run: 'exit 0' })
  chmodSync(join(dir, 'run'), 0o644)
  const runsv = startBin(t, 'runsv', [dir], { services: [dir], startedWith: LOW })
  await until(() => runsv.stderr(), s => s.includes('unable to start'), { what: 'stderr' })
  t.match(runsv.stderr(), `runsv ${runsv.name}: fatal: unable to start ./run: access denied\n`)
})

t.test('started with the hard limit and nothing ignored, the run gets the same', async t => {
  const dir = service(t, { run: `${noteState('./run.state')}\nexec sleep 1000` })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const seen = await until(() => readText(join(dir, 'run.state')).trim(), s => s !== '', { what: 'run.state' })
  t.equal(seen, `${HARD_NOFILE} 0000000000000000`)
})
