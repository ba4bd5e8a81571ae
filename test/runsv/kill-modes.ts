// A service is every process it started (runsv(8), CGROUPS, KILL MODES): a cgroup per service on
// this machine's cgroup2, the kill modes, KILL at once with cgroup.kill, the fallback without
// cgroups, leftovers of a killed runsv. Real processes, checked through /proc by pid.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, readFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { startBin, alive, killQuietly, leafOf, ONE_PROCESS, BIN } from '../helpers/bin.js'
import { service, stat, pidOf, readText, shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { findHierarchy } from '../../build/os/cgroup.js'

const hierarchy = findHierarchy()
const needCgroup = {
  skip: process.getuid?.() !== 0 ? 'needs root (cgroup2 writes)' : hierarchy.ok ? false : `no writable cgroup2 here: ${hierarchy.why}`
} as const

/** Pids the run wrote into ./pids, one per line, once `count` are there. */
async function pidsWritten (t: Tap, dir: string, count: number, file = 'pids'): Promise<number[]> {
  const text = await until(() => readText(join(dir, file)), s => s.split('\n').filter(Boolean).length >= count,
    { what: `${count} pids in ${file}`, timeout: 20_000 })
  const pids = text.split('\n').filter(Boolean).map(Number)
  t.teardown(() => { for (const p of pids) killQuietly(p, 'SIGKILL') })
  return pids
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0]

async function allGone (pids: number[], what: string, timeout = 10_000): Promise<void> {
  await until(() => pids.filter(alive), left => left.length === 0, { what, timeout })
}

function cgroupOfPid (pid: number): string {
  return /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? ''
}

/** A run that starts, at its first instruction, a child; a double-forking setsid daemon; and a
 * background child that ignores TERM and holds the log pipe (stdout). */
const MESSY_RUN = `sleep 1000 & echo $! >> ./pids
setsid sh -c 'sleep 1001 & echo $! >> ./pids' </dev/null >/dev/null 2>&1 &
sh -c 'trap "" TERM; echo $$ >> ./pids; exec sleep 1002' &
exec sleep 1003`

t.test('each service in a cgroup of its own: main and log leaves, named after the service', needCgroup, async t => {
  const dir = service(t, { run: 'sleep 1000 & echo $! >> ./pids; exec sleep 1001', log: 'exec cat >/dev/null', name: 'web' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const [first] = await pidsWritten(t, dir, 1)
  const leaf = await until(() => leafOf(dir), l => l !== null, { what: 'supervise/cgroup' })
  const logLeaf = await until(() => leafOf(join(dir, 'log')), l => l !== null, { what: 'log/supervise/cgroup' })
  t.match(leaf, /\/web\.[0-9a-f]{8}\/main$/, 'the leaf is named after the service dir')
  t.equal(logLeaf, leaf!.replace(/main$/, 'log'), 'the log service beside it')
  await until(() => pidOf(join(dir, 'log')), p => p > 0, { what: 'log/run' })
  const mount = hierarchy.ok ? hierarchy.hierarchy.mount : ''
  t.equal(mount + cgroupOfPid(first!), leaf, 'the child forked at the first instruction is in the leaf')
  t.equal(mount + cgroupOfPid(pidOf(dir)), leaf, './run is in the leaf')
  t.equal(mount + cgroupOfPid(pidOf(join(dir, 'log'))), logLeaf, 'log/run in the log leaf')
  sendControl(servicePaths(dir), 'x')
  await until(() => existsSync(leaf!.replace(/\/main$/, '')), e => !e, { what: 'cgroup removed after exit' })
  await allGone([first!], 'the child gone with the service')
})

t.test('mixed (default): sv down leaves none of a messy run alive, the log pipe holder included', needCgroup, async t => {
  const dir = service(t, { run: MESSY_RUN, log: 'exec cat >/dev/null' })
  writeFileSync(join(dir, 'timeout-kill'), '300\n') // the TERM-ignoring child gets KILL after that
  startBin(t, 'runsv', [dir], { services: [dir] })
  const pids = await pidsWritten(t, dir, 3)
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const main = pidOf(dir)
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down', timeout: 10_000 })
  await allGone([main, ...pids], 'the run, its children and the daemon')
})

t.test('mixed: a crash meets no child of the last run when the next one starts', needCgroup, async t => {
  // Each run notes whether the previous run's child still lives, then crashes.
  const dir = service(t, {
    // (a zombie waiting for init to reap it counts as gone: its state is Z)
    run: `[ -f ./pids ] && { st=$(cut -d' ' -f3 /proc/$(tail -n 1 ./pids)/stat 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ] && echo alive >> ./seen || echo gone >> ./seen; }
sleep 1000 & echo $! >> ./pids
sleep 0.2; exit 1`
  })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => readText(join(dir, 'seen')), s => s.split('\n').filter(Boolean).length >= 2, { what: 'two restarts', timeout: 15_000 })
  sendControl(servicePaths(dir), 'd')
  t.same(readText(join(dir, 'seen')).split('\n').filter(Boolean).slice(0, 2), ['gone', 'gone'])
  const pids = readText(join(dir, 'pids')).split('\n').filter(Boolean).map(Number)
  t.teardown(() => { for (const p of pids) killQuietly(p, 'SIGKILL') })
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  await allGone(pids, 'every run\'s child')
})

t.test('mixed: 2,000 children forked as fast as possible are all gone after sv down', needCgroup, async t => {
  const dir = service(t, {
    run: 'i=0; while [ $i -lt 2000 ]; do sleep 1000 & i=$((i+1)); done; echo done > ./forked; exec sleep 1001'
  })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => readText(join(dir, 'forked')), s => s === 'done\n', { what: '2000 forks', timeout: 60_000 })
  const leaf = leafOf(dir)!
  const before = readFileSync(join(leaf, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
  t.teardown(() => { for (const p of before) killQuietly(p, 'SIGKILL') })
  t.ok(before.length >= 2001, `${before.length} processes in the leaf`)
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down', timeout: 20_000 })
  t.equal(readFileSync(join(leaf, 'cgroup.procs'), 'utf8'), '', 'the leaf is empty')
  await allGone(before, 'all 2001', 20_000)
})

/** main waits (up to 2 s) for its child to have had TERM before it exits: at once in
 * control-group, only after main has gone in mixed. */
const ORDER_RUN = `sh -c 'trap "echo child-term >> ./sigs; exit 0" TERM; echo $$ >> ./pids; while :; do sleep 0.05; done' &
trap 'echo main-term >> ./sigs; i=0; while [ $i -lt 40 ] && ! grep -q child-term ./sigs; do sleep 0.05; i=$((i+1)); done; echo main-exit >> ./sigs; exit 0' TERM
echo $$ >> ./pids
while :; do sleep 0.05; done`

for (const mode of ['mixed', 'control-group'] as const) {
  t.test(`kill-mode ${mode}: who gets the stop signal when`, needCgroup, async t => {
    const dir = service(t, { run: ORDER_RUN })
    if (mode !== 'mixed') writeFileSync(join(dir, 'kill-mode'), `${mode}\n`)
    startBin(t, 'runsv', [dir], { services: [dir] })
    const pids = await pidsWritten(t, dir, 2)
    sendControl(servicePaths(dir), 'd')
    await until(() => stat(dir), s => s.startsWith('down'), { what: 'down', timeout: 10_000 })
    await allGone(pids, 'main and child')
    // In control-group both get TERM at once, so main-term and child-term come in either order.
    const order = readText(join(dir, 'sigs')).split('\n').filter(Boolean)
    t.same([...order].sort(), ['child-term', 'main-exit', 'main-term'], 'each once')
    if (mode === 'mixed') t.ok(order.indexOf('main-exit') < order.indexOf('child-term'), `the child after main has gone: ${order.join(' ')}`)
    else t.ok(order.indexOf('child-term') < order.indexOf('main-exit'), `the child while main runs: ${order.join(' ')}`)
  })
}

t.test('kill-mode process: runit\'s behaviour, the child outlives the stop', needCgroup, async t => {
  const dir = service(t, { run: 'sleep 1000 & echo $! >> ./pids; exec sleep 1001' })
  writeFileSync(join(dir, 'kill-mode'), 'process\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  const [child] = await pidsWritten(t, dir, 1)
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const main = pidOf(dir)
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  await allGone([main], 'main')
  t.ok(alive(child!), 'the child lives on')
})

t.test('an unknown kill-mode is said, and mixed used', needCgroup, async t => {
  const dir = service(t, { run: 'sleep 1000 & echo $! >> ./pids; exec sleep 1001' })
  writeFileSync(join(dir, 'kill-mode'), 'everything\n')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  const [child] = await pidsWritten(t, dir, 1)
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  await allGone([child!], 'the child, as mixed')
  const said = `runsv ${runsv.name}: warning: kill-mode: no such mode: everything; using mixed\n`
  t.match(await until(() => runsv.stderr(), e => e.includes(said), { what: 'the warning' }), said)
})

for (const how of ['x', 'SIGTERM', 'SIGHUP'] as const) {
  const skip = needCgroup.skip !== false ? needCgroup.skip : how !== 'x' && ONE_PROCESS ? 'signals to a runsv process' : false
  t.test(`${how}: runsv exits although a background child held the log pipe, and leaves nothing`, { skip }, async t => {
    const dir = service(t, { run: 'sh -c \'trap "" TERM; echo $$ >> ./pids; exec sleep 1000\' & exec sleep 1001', log: 'exec cat >/dev/null' })
    writeFileSync(join(dir, 'timeout-kill'), '300\n')
    const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
    const [child] = await pidsWritten(t, dir, 1)
    await until(() => pidOf(join(dir, 'log')), p => p > 0, { what: 'log/run' })
    const log = pidOf(join(dir, 'log'))
    const leaf = leafOf(dir)!
    if (how === 'x') sendControl(servicePaths(dir), 'x')
    else process.kill(runsv.pid, how)
    if (!ONE_PROCESS) {
      const [code] = await runsv.exit
      t.equal(code, 0, 'runsv exited 0')
    }
    await allGone([child!, log], 'the pipe holder and log/run')
    await until(() => existsSync(leaf), e => !e, { what: 'leaf removed' })
  })
}

t.test('a runsv killed with its services up: the next one stops what is left in the cgroup', { skip: needCgroup.skip !== false ? needCgroup.skip : ONE_PROCESS ? 'kills a runsv process' : false }, async t => {
  const dir = service(t, { run: 'sleep 1000 & echo $! >> ./pids; exec sleep 1001' })
  const first = startBin(t, 'runsv', [dir], { services: [dir] })
  const [child] = await pidsWritten(t, dir, 1)
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const leaf = leafOf(dir)
  killQuietly(first.pid, 'SIGKILL')
  await first.exit
  t.ok(alive(child!), 'the child outlived its runsv')
  const second = startBin(t, 'runsv', [dir], { services: [dir] })
  await allGone([child!], 'the leftover child', 15_000)
  await until(() => stat(dir), s => s === 'run\n', { what: 'a new run' })
  t.equal(leafOf(dir), leaf, 'the same cgroup, reused')
  // stderr comes through a pipe the test reads on its own time: wait for the line
  const said = `processes left in ${leaf} by an earlier runsv: stopping them`
  t.match(await until(() => second.stderr(), e => e.includes(said), { what: 'the warning' }), said)
})

/** runsv, or runsvdir -1, in a mount namespace without cgroup2: the fallback. */
function startWithoutCgroup (t: Tap, dir: string): ReturnType<typeof startBin> {
  const umounts = 'grep " - cgroup2 " /proc/self/mountinfo | while read -r _ _ _ _ m _; do umount -l "$m"; done'
  let target = dir
  let exe = `${shq(join(BIN, 'runsv.js'))} "$0"`
  if (ONE_PROCESS) {
    target = join(dir, '..', 'scan')
    mkdirSync(target)
    symlinkSync(dir, join(target, 'svc'))
    exe = `${shq(join(BIN, 'runsvdir.js'))} -1 "$0"`
  }
  return startBin(t, 'runsv', ['--mount', '--propagation', 'private', 'sh', '-c', `${umounts}; exec ${exe}`, target],
    { exe: 'unshare', services: [dir] })
}

t.test('without cgroup2: said once, and the run\'s session is swept', needCgroup, async t => {
  const dir = service(t, { run: 'sleep 1000 & echo $! >> ./pids; exec sleep 1001' })
  const runsv = startWithoutCgroup(t, dir)
  const [child] = await pidsWritten(t, dir, 1)
  await until(() => readText(join(dir, 'supervise', 'cgroup')), s => s.endsWith('\nsession\n'), { what: 'supervise/cgroup says session' })
  await until(() => runsv.stderr(), e => e.includes('warning: no cgroup for the services'), { what: 'the warning' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  await allGone([child!], 'the child in the run\'s session')
  t.equal(runsv.stderr().split('no cgroup for the services').length, 2, 'said once')
})
