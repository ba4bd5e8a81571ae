// Forking daemons (runsv(8), FORKING DAEMONS): with a pidfile file, a ./run that starts a daemon
// with setsid and exits 0 is followed through the daemon: its pid in supervise/, runit's C sv
// sees it, restarted when killed (the end reaped by runsv, core flag included), stopped by d.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, readFileSync } from 'node:fs'
import { startBin, alive, killQuietly } from '../helpers/bin.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sv } from '../helpers/sv.js'
import { needRunit } from '../helpers/runit.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

/** A ./run that daemonizes: a new session, the pid written down, then ./run exits 0. */
const DAEMONIZING = `setsid sh -c 'echo $$ > ./daemon.pid; exec sleep 1000' </dev/null >/dev/null 2>&1 &
i=0; while [ ! -s ./daemon.pid ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
echo started >> ./runs
exit 0`

const daemonPid = (dir: string): number => Number.parseInt(readText(join(dir, 'daemon.pid')), 10) || 0

/** Whether /proc/PID/maps of the supervisor shows koffi's native module. */
const loadsKoffi = (pid: number): boolean => readFileSync(`/proc/${pid}/maps`, 'utf8').includes('koffi')

t.test('pidfile naming the daemon\'s pid file: adopted, shown, restarted when killed, stopped by d', async t => {
  const dir = service(t, { run: DAEMONIZING })
  writeFileSync(join(dir, 'pidfile'), 'daemon.pid\n')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  const first = await until(() => daemonPid(dir), p => p > 0, { what: 'the daemon' })
  t.teardown(() => { killQuietly(first, 'SIGKILL') })
  await until(() => pidOf(dir), p => p === first, { what: 'supervise/pid names the daemon' })
  t.equal(stat(dir), 'run\n', 'still run after ./run exited 0')
  t.ok(loadsKoffi(runsv.pid), 'the FFI is loaded for it')
  if (needRunit().skip === false) {
    t.match((await sv('runit', ['status', dir])).stdout, new RegExp(`^run: ${dir}: \\(pid ${first}\\) \\d+s\\n$`), "runit's sv sees the daemon")
  }
  writeFileSync(join(dir, 'daemon.pid'), '') // the next run writes it again
  process.kill(first, 'SIGSEGV')
  const second = await until(() => daemonPid(dir), p => p > 0 && p !== first, { what: 'a new daemon', timeout: 10_000 })
  t.teardown(() => { killQuietly(second, 'SIGKILL') })
  await until(() => pidOf(dir), p => p === second, { what: 'supervise/pid names the new daemon' })
  const runs = (await sv('ours', ['runs', dir])).stdout
  t.match(runs, /, signal SEGV( \(core dumped\))?, restarted\n$/, 'its end, as reaped by runsv')
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'down\n', { what: 'down' })
  await until(() => alive(second), a => !a, { what: 'the daemon stopped' })
  t.equal(readText(join(dir, 'runs')), 'started\nstarted\n', 'two runs')
})

t.test('an empty pidfile: the one process left in the service\'s cgroup', {
  skip: process.getuid?.() === 0 ? false : 'needs root (cgroup2)'
}, async t => {
  const dir = service(t, { run: DAEMONIZING })
  writeFileSync(join(dir, 'pidfile'), '')
  startBin(t, 'runsv', [dir], { services: [dir] })
  const pid = await until(() => daemonPid(dir), p => p > 0, { what: 'the daemon' })
  t.teardown(() => { killQuietly(pid, 'SIGKILL') })
  await until(() => pidOf(dir), p => p === pid, { what: 'supervise/pid names the daemon' })
  sendControl(servicePaths(dir), 'd')
  await until(() => alive(pid), a => !a, { what: 'the daemon stopped' })
})

t.test('without pidfile: a ./run exiting 0 is an exit, and the FFI is not loaded', async t => {
  const dir = service(t, { run: 'echo started >> ./runs; exec sleep 1000' })
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  t.notOk(loadsKoffi(runsv.pid), 'no koffi in the supervisor')
})
