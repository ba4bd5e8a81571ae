// s6's notification-fd: ./run gets that descriptor, its first newline is recorded in
// supervise/ready, and sv's check (so start, up -v) waits for it.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin, runBin } from '../helpers/bin.js'
import { runitBin, needRunit } from '../helpers/runit.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

t.test('the run says when it is ready; sv check waits for it', async t => {
  const dir = service(t, { run: 'ls /proc/$$/fd > ./fds; while [ ! -e ./go ]; do sleep 0.05; done; echo ready >&5; exec sleep 1000' })
  writeFileSync(join(dir, 'notification-fd'), '5\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  const fds = (await until(() => readText(join(dir, 'fds')), s => s.endsWith('\n'), { what: 'fds' })).split('\n').map(Number)
  t.ok(fds.includes(5), `fd 5 open: ${fds.join(' ')}`)
  t.notOk(fds.includes(3) || fds.includes(4), 'fds 3 and 4 closed')

  const early = await runBin('sv', ['-w', '0', 'check', dir])
  t.equal(early.code, 1, 'not ready yet: sv check times out')
  t.match(early.stdout, /^timeout: run: /)
  t.equal(readText(join(dir, 'supervise', 'ready')), `${pidOf(dir)} starting\n`, 'supervise/ready: starting')

  writeFileSync(join(dir, 'go'), '')
  await until(() => readText(join(dir, 'supervise', 'ready')), s => s === `${pidOf(dir)} ready\n`, { what: 'supervise/ready' })
  const ready = await runBin('sv', ['-w', '5', 'check', dir])
  t.equal(ready.code, 0, 'ready: sv check passes')
  t.match(ready.stdout, /^ok: run: /)
})

t.test('a new run is not ready until it says so again', async t => {
  const dir = service(t, { run: 'if [ -e ./started ]; then exec sleep 1000; fi; touch ./started; echo >&3; exec sleep 1000' })
  writeFileSync(join(dir, 'notification-fd'), '3')
  startBin(t, 'runsv', [dir], { services: [dir] })
  const first = await until(() => readText(join(dir, 'supervise', 'ready')), s => s.endsWith('ready\n'), { what: 'first ready' })
  t.equal(first, `${pidOf(dir)} ready\n`)
  const old = pidOf(dir)
  process.kill(old, 'SIGKILL')
  const now = await until(() => pidOf(dir), p => p > 0 && p !== old, { what: 'restart' })
  t.equal(readText(join(dir, 'supervise', 'ready')), `${now} starting\n`, 'the new run is starting')
  t.equal((await runBin('sv', ['-w', '0', 'check', dir])).code, 1, 'sv check: not ready')
})

t.test('a bad notification-fd is said and ignored, by runsv and sv alike', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  writeFileSync(join(dir, 'notification-fd'), '2\n')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  const said = `runsv ${runsv.name}: warning: notification-fd: not a descriptor from 3 to 1023\n`
  t.equal(await until(() => runsv.stderr(), e => e.includes(said), { what: 'the warning' }), said)
  t.equal((await runBin('sv', ['-w', '5', 'check', dir])).code, 0, 'no readiness to wait for')
})

t.test('under runit\'s runsv, which knows no readiness, sv judges as runit\'s', needRunit(), async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  writeFileSync(join(dir, 'notification-fd'), '3\n')
  startBin(t, 'runsv', [dir], { services: [dir], exe: runitBin('runsv') })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  const r = await runBin('sv', ['-w', '5', 'check', dir])
  t.equal(r.code, 0, 'sv check passes: nothing will ever say ready')
  t.match(r.stdout, /^ok: run: /)
})
