import t, { type Test } from 'tap'
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alive, killQuietly } from '../helpers/bin.js'
import { findHierarchy } from '../../build/os/cgroup.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startRunsvdir, makeService, servicePid, exited } from './tree.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { procStat } from '../../build/os/proc.js'

/** [session id, process group] of pid */
function sidPgrp (pid: number): [number, number] {
  const s = procStat(pid)
  return [s.session, s.pgrp]
}

async function twoServices (t: Test, args: string[] = []) {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const a = makeService(scan, 'a')
  const b = makeService(scan, 'b')
  const r = startRunsvdir(t, [...args, scan], { services: [a, b] })
  await until(() => stat(a) + stat(b), s => s === 'run\nrun\n', { what: 'stats' })
  const runsvs = await until(() => r.runsvs(), l => l.length === 2, { what: 'runsvs' })
  return { scan, a, b, r, runsvs, services: [servicePid(a), servicePid(b)] }
}

t.test('SIGHUP: every runsv and service stopped before runsvdir exits 111', async t => {
  const { r, runsvs, services, a } = await twoServices(t)
  process.kill(r.pid, 'SIGHUP')
  const [code, signal] = await exited(r)
  t.same([code, signal], [111, null], 'exit 111')
  t.same(runsvs.filter(alive), [], 'no runsv left')
  t.same(services.filter(alive), [], 'no service left')
  t.equal(stat(a), 'down\n', 'runsv published the stop')
  t.equal(r.stderr(), '')
})

for (const mode of [[], ['-1']]) {
  t.test(`SIGHUP${mode.length > 0 ? ' (-1)' : ''}: no process of any service left, setsid daemons and TERM-ignoring children included`, {
    skip: process.getuid?.() === 0 && findHierarchy().ok ? false : 'needs root and a writable cgroup2'
  }, async t => {
    const scan = join(t.testdir(), 'service')
    mkdirSync(scan)
    const run = `setsid sh -c 'sleep 1000 & echo $! >> ./pids' </dev/null >/dev/null 2>&1 &
sh -c 'trap "" TERM; echo $$ >> ./pids; exec sleep 1001' &
exec sleep 1002`
    const dirs = ['a', 'b'].map(n => makeService(scan, n, run))
    for (const d of dirs) writeFileSync(join(d, 'timeout-kill'), '300')
    const r = startRunsvdir(t, [...mode, scan], { services: dirs })
    const pids = await until(() => dirs.flatMap(d => existsSync(join(d, 'pids')) ? readFileSync(join(d, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number) : []),
      l => l.length === 4, { what: 'four pids' })
    t.teardown(() => { for (const p of pids) killQuietly(p, 'SIGKILL') })
    const mains = await until(() => dirs.map(servicePid), l => l.every(p => p > 0), { what: 'both runs' })
    process.kill(r.pid, 'SIGHUP')
    const [code] = await exited(r)
    t.equal(code, 111)
    t.same([...mains, ...pids].filter(alive), [], 'nothing left')
  })
}

t.test('SIGTERM: runsvdir exits 0 and leaves the runsvs and services running', async t => {
  const { r, runsvs, services, a } = await twoServices(t)
  process.kill(r.pid, 'SIGTERM')
  const [code, signal] = await exited(r)
  t.same([code, signal], [0, null], 'exit 0')
  t.same(runsvs.filter(alive), runsvs, 'both runsvs still run')
  t.same(services.filter(alive), services, 'both services still run')
  // Still supervising: the orphaned runsv obeys a control letter (teardown reaps it by pid).
  t.equal(sendControl(servicePaths(a), 'd'), 'sent')
  await until(() => stat(a), s => s === 'down\n', { what: 'stat' })
})

t.test('SIGINT stops everything like SIGHUP (^C in a terminal leaves nothing running)', async t => {
  const { r, runsvs, services } = await twoServices(t, ['-P'])
  process.kill(r.pid, 'SIGINT')
  const [code] = await exited(r)
  t.equal(code, 111)
  t.same([...runsvs, ...services].filter(alive), [], 'nothing left')
})

t.test('-P puts each runsv in its own session', async t => {
  const withP = await twoServices(t, ['-P'])
  for (const p of withP.runsvs) t.same(sidPgrp(p), [p, p], `runsv ${p} leads its own session`)
})

t.test('without -P the runsvs share runsvdir\'s process group', async t => {
  const without = await twoServices(t)
  const [, group] = sidPgrp(without.r.pid)
  for (const p of without.runsvs) t.equal(sidPgrp(p)[1], group, `runsv ${p} is in runsvdir's group`)
})

t.test('SIGALRM (Debian): a forced rescan, stamped in ./.forced-rescan', async t => {
  const { r, scan } = await twoServices(t)
  const stamp = join(scan, '.forced-rescan')
  t.notOk(existsSync(stamp))
  process.kill(r.pid, 'SIGALRM')
  const text = await until(() => readFileSync(stamp, 'latin1'), s => s.length > 0, { what: '.forced-rescan' })
  t.match(text, /^@4[0-9a-f]{23}$/, '25-char TAI64N label, no newline')
  const secs = Number(BigInt('0x' + text.slice(1, 17)) - 0x400000000000000an)
  t.ok(Math.abs(secs - Date.now() / 1000) < 60, 'the stamp is now')
  t.equal(r.child.exitCode, null, 'still running (upstream runit would die of SIGALRM)')
  t.same(r.runsvs().length, 2, 'and the same two runsvs')
})
