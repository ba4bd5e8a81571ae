// The service directory's optional stop policy (s6's names, not in runit): down-signal,
// timeout-kill, and ./finish exiting 125 to keep the service down.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin, alive, killQuietly } from '../helpers/bin.js'
import { service, stat, pidOf, readText, sigs, SIGNAL_RECORDER } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { readStatus } from '../../build/svdir/status-file.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

/** Ends a run that ignores its down signal, so the test's teardown need not wait for it. */
async function killRun (dir: string): Promise<void> {
  sendControl(servicePaths(dir), 'k')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down after k' })
}

t.test('down-signal: d sends that signal instead of TERM', async t => {
  // SIGNAL_RECORDER, ended by HUP as it is by TERM
  const dir = service(t, { run: SIGNAL_RECORDER.replace("trap 'echo TERM >> ./sigs;", "trap 'echo HUP >> ./sigs; kill $child 2>/dev/null; exit 0' HUP\ntrap 'echo TERM >> ./sigs;") })
  writeFileSync(join(dir, 'down-signal'), 'HUP\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => sigs(dir), s => s.includes('start'), { what: 'run started' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat down' })
  t.same(sigs(dir), ['start', 'HUP'], 'HUP, no TERM')
})

t.test('down-signal as a number, and t stays TERM', async t => {
  const dir = service(t, { run: SIGNAL_RECORDER })
  writeFileSync(join(dir, 'down-signal'), '10') // SIGUSR1 on Linux
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => sigs(dir), s => s.includes('start'), { what: 'run started' })
  sendControl(servicePaths(dir), 't')
  await until(() => sigs(dir), s => s.includes('TERM'), { what: 'TERM' })
  await until(() => sigs(dir), s => s.filter(x => x === 'start').length === 2, { what: 'restart after t', timeout: 5000 })
  sendControl(servicePaths(dir), 'd')
  await until(() => sigs(dir), s => s.at(-1) === 'CONT', { what: 'USR1 then CONT' })
  t.same(sigs(dir).slice(-3), ['start', 'USR1', 'CONT'])
  await killRun(dir)
})

t.test('a bad down-signal is said, and TERM is sent', async t => {
  const dir = service(t, { run: SIGNAL_RECORDER })
  writeFileSync(join(dir, 'down-signal'), 'NOSUCH\n')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => sigs(dir), s => s.includes('start'), { what: 'run started' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat down' })
  t.same(sigs(dir), ['start', 'TERM'])
  const said = `runsv ${runsv.name}: warning: down-signal: no such signal: NOSUCH; sending TERM\n`
  t.equal(await until(() => runsv.stderr(), e => e.includes(said), { what: 'the warning' }), said)
})

t.test('timeout-kill: a run that ignores TERM gets KILL, with the rest of its process group', async t => {
  const dir = service(t, { run: "trap '' TERM; sleep 1000 & echo $! > ./bg; exec sleep 1000" })
  writeFileSync(join(dir, 'timeout-kill'), '300\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  const bg = await until(() => Number.parseInt(readText(join(dir, 'bg')), 10), p => p > 0, { what: 'background pid' })
  t.teardown(() => { killQuietly(bg, 'SIGKILL') })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'run, got TERM, want down\n', { what: 'TERM ignored' })
  await until(() => stat(dir), s => s === 'down\n', { what: 'down after KILL', timeout: 5000 })
  await until(() => alive(bg), a => !a, { what: 'background child gone' })
  t.pass('the background child died with the group')
})

t.test('without timeout-kill, a run that ignores TERM stays up (runit)', async t => {
  const dir = service(t, { run: "trap '' TERM; exec sleep 1000" })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  const pid = pidOf(dir)
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'run, got TERM, want down\n', { what: 'TERM ignored' })
  // The record after the next letter proves runsv has handled everything before it.
  sendControl(servicePaths(dir), 'p')
  await until(() => stat(dir), s => s === 'run, paused, got TERM, want down\n', { what: 'p handled' })
  t.equal(pidOf(dir), pid, 'still the same run')
  t.ok(alive(pid))
  await killRun(dir)
})

t.test('./finish exiting 125 keeps the service down', async t => {
  const dir = service(t, { run: 'echo x >> ./starts; exit 1', finish: 'exit 125' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const s = await until(() => readStatus(servicePaths(dir)), r => r !== 'bad-format' && r.state === 'down' && r.want === 'down', { what: 'down, want down', timeout: 5000 })
  t.ok(s !== 'bad-format' && s.pid === 0)
  t.equal(stat(dir), 'down\n')
  t.equal(readText(join(dir, 'starts')), 'x\n', 'run started once')
  sendControl(servicePaths(dir), 'u')
  await until(() => readText(join(dir, 'starts')), v => v === 'x\nx\n', { what: 'u starts it again' })
})

t.test('timeout-finish: a ./finish that hangs is KILLed, and the service restarts', async t => {
  const dir = service(t, { run: 'echo x >> ./starts; exit 1', finish: '[ -e ./once ] && exit 0; touch ./once; exec sleep 1000' })
  writeFileSync(join(dir, 'timeout-finish'), '200\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => readText(join(dir, 'starts')), s => s === 'x\nx\n', { what: 'run started again', timeout: 6000 })
  t.pass('the hung ./finish did not hold the restart')
})
