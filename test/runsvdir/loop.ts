// The loop in-process, with its timing knobs: each rescan path proven on its own.
import t, { type Test } from 'tap'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { alive, startBin } from '../helpers/bin.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { makeSay } from '../../build/errors/say.js'
import { Runsvdir, type RunsvdirOptions } from '../../build/runsvdir/runsvdir.js'
import { processLauncher } from '../../build/runsvdir/launcher.js'
import { makeService, runsvBinDir, trackTree, servicePid, within, exited } from './tree.js'

type T = Test

function loop (t: T, scan: string, opts: Partial<RunsvdirOptions> = {}): { l: Runsvdir, said: () => string } {
  let said = ''
  const env = cleanEnv({ PATH: `${runsvBinDir(t)}:${PATH}` })
  const l = new Runsvdir({
    dir: scan,
    cwd: '/',
    say: makeSay(`runsvdir ${scan}`, s => { said += s }),
    launcher: processLauncher({ dir: scan, setsid: true, stderrFd: 2, env }),
    stopGraceMs: 500,
    ...opts
  })
  trackTree(t, process.pid)
  t.teardown(async () => {
    l.hangup()
    await within(l.done, () => 'the loop has not ended')
  })
  l.start()
  return { l, said: () => said }
}

function scanDir (t: T): { base: string, scan: string } {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  return { base, scan }
}

t.test('change events alone pick up a new service (no periodic check for ten minutes)', async t => {
  const { base, scan } = scanDir(t)
  const warm = makeService(scan, 'warm')
  loop(t, scan, { idleMs: 600_000, busyMs: 600_000 })
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm' })
  const svc = makeService(join(base, 'sv'), 'svc')
  symlinkSync(svc, join(scan, 'svc'))
  await until(() => stat(svc), s => s === 'run\n', { what: 'svc' })
  t.ok(servicePid(svc) > 0, 'supervised')
})

t.test('change events work through a symlinked scan directory (/var/service -> /run/…)', async t => {
  const { base, scan } = scanDir(t)
  symlinkSync(scan, join(base, 'link'))
  const warm = makeService(scan, 'warm')
  loop(t, join(base, 'link'), { idleMs: 600_000, busyMs: 600_000 })
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm' })
  const svc = makeService(join(base, 'sv'), 'svc')
  symlinkSync(svc, join(scan, 'svc'))
  await until(() => stat(svc), s => s === 'run\n', { what: 'svc' })
  t.ok(servicePid(svc) > 0, 'supervised')
})

t.test('without events, runit\'s stat of the directory still finds it (the safety net)', async t => {
  const { base, scan } = scanDir(t)
  const warm = makeService(scan, 'warm')
  loop(t, scan, { watch: false })
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm' })
  const svc = makeService(join(base, 'sv'), 'svc')
  symlinkSync(svc, join(scan, 'svc'))
  // Idle interval 5 s, plus runsv's start.
  await until(() => stat(svc), s => s === 'run\n', { what: 'svc', timeout: 8000 })
  t.ok(servicePid(svc) > 0, 'supervised')
})

t.test('HUP kills what does not stop within the grace period, services included', async t => {
  const { scan } = scanDir(t)
  const stubborn = makeService(scan, 'stubborn', "trap '' TERM\nexec sleep 1000")
  const { l } = loop(t, scan)
  await until(() => stat(stubborn), s => s === 'run\n', { what: 'stat' })
  const runsvs = l.pids
  const svc = servicePid(stubborn)
  l.hangup()
  t.same(await within(l.done, () => 'the loop has not ended'), { kind: 'hup' })
  t.same([...runsvs, svc].filter(alive), [], 'runsv and the TERM-proof service are gone')
})

/** A service under a runsv the loop did not start (as one left by an earlier runsvdir), and a
 * loop that has scanned it. */
async function foreign (t: T, run: string, logRun: string) {
  const { scan } = scanDir(t)
  const svc = makeService(scan, 'svc', run)
  const log = makeService(svc, 'log', logRun)
  const runsv = startBin(t, 'runsv', [svc], { services: [svc] })
  await until(() => stat(svc) + stat(log), s => s === 'run\nrun\n', { what: 'stats' })
  const warm = makeService(scan, 'warm')
  const { l, said } = loop(t, scan)
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm' })
  t.same(l.pids.length, 1, 'only warm got a runsv of the loop')
  return { l, said, runsv, left: [runsv.pid, servicePid(svc), servicePid(log)] }
}

t.test('HUP: a runsv not started by the loop gets x, and k for what ignores TERM after the grace period', async t => {
  const { l, runsv, left } = await foreign(t, "trap '' TERM\nexec sleep 1000", "trap '' TERM\nexec sleep 1000")
  l.hangup()
  t.same(await within(l.done, () => 'the loop has not ended'), { kind: 'hup' })
  t.same(await exited(runsv), [0, null], 'the runsv was told to exit')
  t.same(left.filter(alive), [], 'runsv, the TERM-proof service and log are gone')
})

t.test('HUP: a runsv not started by the loop that does not exit is given up on after two grace periods', async t => {
  const { l, said, left } = await foreign(t, 'exec sleep 1000', 'exec sleep 1000')
  process.kill(left[0]!, 'SIGSTOP')
  t.teardown(() => { try { process.kill(left[0]!, 'SIGCONT') } catch { /* gone */ } })
  const t0 = Date.now()
  l.hangup()
  t.same(await within(l.done, () => 'the loop has not ended'), { kind: 'hup' })
  t.ok(Date.now() - t0 >= 2 * 500, 'after two grace periods')
  t.match(said(), /: warning: runsv svc did not exit, leaving it running\n$/)
})

t.test('the table limit: runit\'s warning for the one too many', async t => {
  const { scan } = scanDir(t)
  makeService(scan, 'a')
  makeService(scan, 'b')
  const { l, said } = loop(t, scan, { limit: 1 })
  await until(() => said(), s => s.includes('too many services'), { what: 'said' })
  t.match(said(), new RegExp(`^runsvdir ${scan}: warning: unable to start runsv [ab]: too many services\\.\\n`))
  t.equal(l.pids.length, 1)
})

t.test('TERM ends the loop, leaving the runsv to the caller', async t => {
  const { scan } = scanDir(t)
  const svc = makeService(scan, 'svc')
  const { l } = loop(t, scan)
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  const runsvs = l.pids
  l.term()
  t.same(await within(l.done, () => 'the loop has not ended'), { kind: 'term' })
  t.same(runsvs.filter(alive), runsvs, 'still running (reaped by teardown)')
})
