// Every control letter written to supervise/control, against a run script that records signals.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { startBin, perProcessOnly, type Started } from '../helpers/bin.js'
import { service, stat, pidOf, readText, sigs, SIGNAL_RECORDER } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { readStatus } from '../../build/svdir/status-file.js'
import { procStat } from '../../build/os/proc.js'

async function startedWith (t: Test): Promise<{ dir: string, runsv: Started }> {
  const dir = service(t, { run: SIGNAL_RECORDER })
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => sigs(dir), s => s.includes('start'), { what: 'sigs' })
  // The script can run before runsv has published its start: wait for that too.
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  return { dir, runsv }
}
const started = async (t: Test): Promise<string> => (await startedWith(t)).dir

t.test('h a i q 1 2 deliver their signals; several letters in one write are all handled in order', async t => {
  const dir = await started(t)
  const p = servicePaths(dir)
  t.equal(sendControl(p, 'haiq12'), 'sent')
  await until(() => sigs(dir), s => s.length >= 7, { what: 'sigs' })
  // The shell runs pending traps in its own order, so compare as sets.
  t.same(sigs(dir).sort(), ['start', 'HUP', 'ALRM', 'INT', 'QUIT', 'USR1', 'USR2'].sort())
  t.equal(stat(dir), 'run\n', 'signal letters do not change the state')
})

t.test('p stops, c continues; stat and status say paused', async t => {
  const dir = await started(t)
  const p = servicePaths(dir)
  const pid = pidOf(dir)
  sendControl(p, 'p')
  await until(() => stat(dir), s => s === 'run, paused\n', { what: 'stat' })
  await until(() => procStat(pid).state, s => s === 'T', { what: 'process state' })
  // stat is published before status (runit's order): wait for the status record too.
  await until(() => readStatus(p), st => st !== 'bad-format' && st.paused, { what: 'status paused' })
  sendControl(p, 'c')
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  await until(() => sigs(dir), s => s.includes('CONT'), { what: 'sigs' })
})

t.test('t terminates and runsv restarts the service', async t => {
  const dir = await started(t)
  const first = pidOf(dir)
  sendControl(servicePaths(dir), 't')
  await until(() => pidOf(dir), p => p !== 0 && p !== first, { what: 'pid', timeout: 5000 })
  t.ok(sigs(dir).includes('TERM'))
  t.equal(stat(dir), 'run\n')
})

t.test('k kills and runsv restarts', async t => {
  const dir = service(t, { run: 'echo start >> ./runs; exec sleep 1000' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => pidOf(dir), p => p !== 0, { what: 'pid' })
  const first = pidOf(dir)
  sendControl(servicePaths(dir), 'k')
  await until(() => pidOf(dir), p => p !== 0 && p !== first, { what: 'pid', timeout: 5000 })
  // The new instance may be published before its script has written its line.
  t.equal(await until(() => readText(join(dir, 'runs')), r => r.length >= 12, { what: 'runs' }), 'start\nstart\n')
})

t.test('letters of one write are handled in order', async t => {
  const dir = await started(t)
  const p = servicePaths(dir)
  const first = pidOf(dir)
  sendControl(p, 'du')
  await until(() => sigs(dir), s => s.includes('TERM'), { what: 'sigs' })
  const afterDu = await until(() => stat(dir), s => s === 'run\n', { what: 'stat', timeout: 5000 })
  t.equal(afterDu, 'run\n', 'd then u: stopped, then up again')
  t.not(pidOf(dir), first, 'a new instance')
  sendControl(p, 'ud')
  const afterUd = await until(() => stat(dir), s => s === 'down\n', { what: 'stat', timeout: 5000 })
  t.equal(afterUd, 'down\n', 'u then d: down')
})

t.test('d stops for good, u starts again, o runs once', async t => {
  const dir = await started(t)
  const p = servicePaths(dir)
  sendControl(p, 'd')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
  t.equal(pidOf(dir), 0)
  t.equal(readText(join(dir, 'supervise', 'pid')), '', 'pid file empty when down')
  const down = await until(() => readStatus(p), st => st !== 'bad-format' && st.state === 'down', { what: 'status' }) as { want: string, state: string, pid: number }
  t.same([down.state, down.want, down.pid], ['down', 'down', 0])
  sendControl(p, 'u')
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  sendControl(p, 'o')
  await until(() => readStatus(p), s => s !== 'bad-format' && s.want === 'down' && s.state === 'run', { what: 'status' })
  t.equal(stat(dir), 'run, want down\n', 'o on a running service: want down, no restart after exit')
  sendControl(p, 't')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
})

t.test('x exits runsv with 0 after stopping the service', perProcessOnly, async t => {
  const { dir, runsv } = await startedWith(t)
  sendControl(servicePaths(dir), 'x')
  t.same(await runsv.exit, [0, null])
  t.ok(sigs(dir).includes('TERM'), 'the service got TERM')
  t.equal(stat(dir), 'down\n')
})

t.test('SIGTERM to runsv acts like x', perProcessOnly, async t => {
  const { dir, runsv } = await startedWith(t)
  process.kill(runsv.pid, 'SIGTERM')
  t.same(await runsv.exit, [0, null])
  t.ok(sigs(dir).includes('TERM'), 'the service got TERM')
})
