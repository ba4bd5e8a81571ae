// Every sv command against our runsv: what is sent, what -v and the LSB words wait for, the
// ok:/timeout:/kill: lines, and the exit codes.
import t, { type Test } from 'tap'
import { join, dirname } from 'node:path'
import { existsSync } from 'node:fs'
import { service, stat, pidOf, readText, sigs, SIGNAL_RECORDER } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { sv, runsv, mask, type SvResult } from '../helpers/sv.js'
import type { Started } from '../helpers/bin.js'

interface Svc { dir: string, runsv: Started, run: (...args: string[]) => Promise<SvResult> }

/** A SIGNAL_RECORDER service (or `run`) under our runsv, up and recording; run() calls sv from its parent. */
type Spec = { run?: string, finish?: string, check?: string, down?: boolean }

async function up (t: Test, spec: Spec = {}): Promise<Svc> {
  const dir = service(t, { run: SIGNAL_RECORDER, ...spec })
  const r = runsv(t, 'ours', dir)
  if (spec.down === true) await until(() => stat(dir), s => s === 'down\n', { timeout: 15000, what: 'stat' })
  else if (spec.run === undefined) {
    await until(() => sigs(dir), s => s.includes('start'), { timeout: 15000, what: 'sigs' })
    // the script may record its start before runsv has written its pid down
    await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  }
  else await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  return { dir, runsv: r, run: async (...args) => await sv('ours', args, { cwd: dirname(dir) }) }
}

const masked = (r: SvResult): [number | null, string, string] => [r.code, mask(r.stdout), r.stderr]

t.test('up, down, once without -v: sent, nothing printed, exit 0', async t => {
  const s = await up(t, { down: true })
  t.same(masked(await s.run('up', './svc')), [0, '', ''])
  await until(() => stat(s.dir), x => x === 'run\n', { timeout: 15000, what: 'stat' })
  t.same(masked(await s.run('d', './svc')), [0, '', ''])
  await until(() => stat(s.dir), x => x === 'down\n', { timeout: 15000, what: 'stat' })
  t.same(masked(await s.run('o', './svc')), [0, '', ''])
  await until(() => stat(s.dir), x => x === 'run, want down\n', { timeout: 15000, what: 'stat' })
})

t.test('-v up, down, once wait for the state and print it', async t => {
  const s = await up(t, { down: true })
  t.same(masked(await s.run('-v', 'up', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  t.same(masked(await s.run('-v', 'down', './svc')), [0, 'ok: down: ./svc: Ns\n', ''])
  t.same(masked(await s.run('-v', 'once', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down, want down\n', ''])
  // down after once: want is already down, but no TERM was sent yet, so d is sent anyway.
  t.same(masked(await s.run('-v', 'down', './svc')), [0, 'ok: down: ./svc: Ns\n', ''])
})

t.test('-v pause and cont', async t => {
  const s = await up(t)
  t.same(masked(await s.run('-v', 'pause', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, paused\n', ''])
  t.equal(stat(s.dir), 'run, paused\n')
  t.same(masked(await s.run('-v', 'cont', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
  t.equal(stat(s.dir), 'run\n')
})

t.test('hup alarm interrupt quit 1 2 deliver their signals; -v reports at once', async t => {
  const s = await up(t)
  const pid = pidOf(s.dir)
  const words: Array<[string, string]> = [['hup', 'HUP'], ['alarm', 'ALRM'], ['interrupt', 'INT'], ['quit', 'QUIT'], ['1', 'USR1'], ['2', 'USR2']]
  for (const [word, sig] of words) {
    t.same(masked(await s.run('-v', word, './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''], word)
    await until(() => sigs(s.dir), x => x.includes(sig), { timeout: 15000, what: `sigs after ${word}` })
  }
  t.equal(pidOf(s.dir), pid, 'signals did not restart it')
})

t.test('-v term and -v kill wait for a new process', async t => {
  // No children of its own: k kills only the recorded pid, and would orphan them.
  const s = await up(t, { run: 'exec sleep 1000' })
  const first = pidOf(s.dir)
  t.same(masked(await s.run('-v', 'term', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
  const second = pidOf(s.dir)
  t.not(second, first)
  t.same(masked(await s.run('-v', 'kill', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
  t.not(pidOf(s.dir), second)
})

t.test('-v exit: ok once runsv is gone; then fail: runsv not running', async t => {
  const s = await up(t)
  t.same(masked(await s.run('-v', 'exit', './svc')), [0, 'ok: ./svc: runsv not running\n', ''])
  t.same(await s.runsv.exit, [0, null])
  t.same(masked(await s.run('status', './svc')), [1, 'fail: ./svc: runsv not running\n', ''])
  t.same(masked(await s.run('-v', 'up', './svc')), [1, 'fail: ./svc: runsv not running\n', ''])
  // exit to a gone runsv is what was asked for
  t.same(masked(await s.run('exit', './svc')), [0, 'ok: ./svc: runsv not running\n', ''])
})

t.test('the LSB words wait without -v', async t => {
  const s = await up(t, { down: true })
  t.same(masked(await s.run('start', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  const first = pidOf(s.dir)
  t.same(masked(await s.run('reload', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  await until(() => sigs(s.dir), x => x.includes('HUP'), { timeout: 15000, what: 'sigs' })
  t.same(masked(await s.run('restart', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  const second = pidOf(s.dir)
  t.not(second, first, 'restart started a new process')
  t.same(masked(await s.run('try-restart', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  t.not(pidOf(s.dir), second, 'try-restart restarted the running service')
  t.same(masked(await s.run('stop', './svc')), [0, 'ok: down: ./svc: Ns\n', ''])
  t.same(masked(await s.run('try-restart', './svc')), [0, 'ok: down: ./svc: Ns\n', ''], 'try-restart leaves a stopped service down')
  t.same(masked(await s.run('force-restart', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  t.same(masked(await s.run('force-reload', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
  t.same(masked(await s.run('force-stop', './svc')), [0, 'ok: down: ./svc: Ns\n', ''])
  t.same(masked(await s.run('shutdown', './svc')), [0, 'ok: ./svc: runsv not running\n', ''])
  t.same(await s.runsv.exit, [0, null])
})

t.test('force-shutdown of a running service', async t => {
  const s = await up(t)
  t.same(masked(await s.run('force-shutdown', './svc')), [0, 'ok: ./svc: runsv not running\n', ''])
  t.same(await s.runsv.exit, [0, null])
})

// A service that ignores TERM: every stop times out.
const STUBBORN = "trap '' TERM\nexec sleep 1000"

t.test('timeout: and kill: lines, and the exit codes they give', async t => {
  const s = await up(t, { run: STUBBORN })
  t.same(masked(await s.run('-w', '1', 'down', './svc')), [1, 'timeout: run: ./svc: (pid PID) Ns, want down, got TERM\n', ''])
  t.equal(stat(s.dir), 'run, got TERM, want down\n', 'still running')
  t.same(masked(await s.run('-w', '1', 'force-stop', './svc')), [1, 'kill: run: ./svc: (pid PID) Ns, want down, got TERM\n', ''])
  await until(() => stat(s.dir), x => x === 'down\n', { timeout: 15000, what: 'stat after kill' })
  // force-restart of a down service just starts it; of a running stubborn one, kills it.
  t.same(masked(await s.run('-w', '0', 'force-restart', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
  const stubborn = pidOf(s.dir)
  t.same(masked(await s.run('-w', '0', 'force-restart', './svc')), [1, 'kill: run: ./svc: (pid PID) Ns, got TERM\n', ''])
  await until(() => pidOf(s.dir), p => p !== 0 && p !== stubborn, { timeout: 15000, what: 'restarted after kill' })
})

t.test('several services: one exit code per failure', async t => {
  const s = await up(t, { run: STUBBORN })
  const r = await s.run('-w', '0', 'stop', './svc', './none', './svc')
  t.equal(r.code, 3)
  t.equal(mask(r.stdout), [
    'fail: ./none: unable to change to service directory: file does not exist',
    'timeout: run: ./svc: (pid PID) Ns, want down, got TERM',
    'timeout: run: ./svc: (pid PID) Ns, want down, got TERM',
    ''
  ].join('\n'))
  t.equal(mask((await s.run('-w', '0', 'force-stop', './svc')).stdout), 'kill: run: ./svc: (pid PID) Ns, want down, got TERM\n')
})

t.test('check scripts', async t => {
  t.test('start waits until ./check passes', async t => {
    const s = await up(t, { down: true, run: 'sleep 0.5; touch ready; exec sleep 1000', check: 'test -e ready' })
    t.same(masked(await s.run('start', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns, normally down\n', ''])
    t.ok(existsSync(join(s.dir, 'ready')), 'ok only after the check passed')
  })
  t.test('a failing check times out, and check says the same', async t => {
    const s = await up(t, { run: 'exec sleep 1000', check: 'exit 1' })
    t.same(masked(await s.run('-w', '1', 'up', './svc')), [1, 'timeout: run: ./svc: (pid PID) Ns\n', ''])
    t.same(masked(await s.run('-w', '1', 'check', './svc')), [1, 'timeout: run: ./svc: (pid PID) Ns\n', ''])
  })
  t.test('check: want down is checked as down; want up needs run and ./check', async t => {
    const s = await up(t, { run: 'exec sleep 1000', check: 'exit 0' })
    t.same(masked(await s.run('check', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
    t.same(masked(await s.run('-v', 'down', './svc')), [0, 'ok: down: ./svc: Ns, normally up\n', ''])
    t.same(masked(await s.run('check', './svc')), [0, 'ok: down: ./svc: Ns, normally up\n', ''])
  })
  t.test('check on a crashing want-up service times out (runit 2.3.0)', async t => {
    // The failing ./check keeps the moments the service runs from passing (a poll that caught
    // one printed "ok: run" on a loaded machine); what is tested is that down with want up fails
    // without consulting ./check (2.1.2 passed it).
    const dir = service(t, { run: 'exit 1', check: 'exit 1' })
    runsv(t, 'ours', dir)
    await until(() => existsSync(join(dir, 'supervise', 'status')), ok => ok, { timeout: 15000 })
    const r = await sv('ours', ['-w', '1', 'check', './svc'], { cwd: dirname(dir) })
    t.equal(r.code, 1)
    t.match(mask(r.stdout), /^timeout: (down: \.\/svc: Ns, normally up, want up|run: \.\/svc: \(pid PID\) Ns)\n$/)
  })
  t.test('a check that cannot be run counts as ready, with a warning', async t => {
    const s = await up(t, { run: 'exec sleep 1000' })
    const { writeFileSync, chmodSync } = await import('node:fs')
    writeFileSync(join(s.dir, 'check'), '#!/bin/sh\nexit 1\n')
    chmodSync(join(s.dir, 'check'), 0o644)
    t.same(masked(await s.run('check', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', 'warning: unable to run ./svc/check: access denied\n'])
  })
  t.test('./check runs in the service directory with stdout discarded', async t => {
    const s = await up(t, { run: 'exec sleep 1000', check: 'echo noise; echo "$0" > checked; pwd >> checked' })
    t.same(masked(await s.run('check', './svc')), [0, 'ok: run: ./svc: (pid PID) Ns\n', ''])
    t.equal(readText(join(s.dir, 'checked')), `check\n${s.dir}\n`, '$0 as runit\'s execve("check") gives it (test/sv/check.ts), and cwd')
  })
  t.test('a hanging ./check is killed after the wait time', async t => {
    const s = await up(t, { run: 'exec sleep 1000', check: 'echo $$ > check.pid; exec sleep 1000' })
    t.same(masked(await s.run('-w', '0', 'check', './svc')), [1, 'timeout: run: ./svc: (pid PID) Ns\n', ''])
    const pid = Number(readText(join(s.dir, 'check.pid')))
    await until(() => readText(`/proc/${pid}/stat`).split(' ')[2] ?? 'gone', st => st === 'gone' || st === 'Z', { timeout: 15000, what: 'check process' })
  })
})

t.test('rounds: -w and SVWAIT set how many 420 ms rounds sv waits', async t => {
  // The check script counts its runs: sv runs it once per round.
  const s = await up(t, { run: 'exec sleep 1000', check: 'echo x >> rounds; exit 1' })
  const rounds = (): number => readText(join(s.dir, 'rounds')).split('\n').filter(Boolean).length
  const env = (svwait: string): NodeJS.ProcessEnv => cleanEnv({ SVWAIT: svwait })
  let r = await sv('ours', ['-v', 'up', './svc'], { cwd: dirname(s.dir), env: env('0') })
  t.equal(r.code, 1)
  t.equal(rounds(), 2, 'SVWAIT=0: a first round, then one more after 420 ms')
  r = await sv('ours', ['-v', 'up', './svc'], { cwd: dirname(s.dir), env: env('junk') })
  t.equal(rounds(), 4, 'SVWAIT garbage counts as 0')
  r = await sv('ours', ['-w', '0', 'up', './svc'], { cwd: dirname(s.dir), env: env('1000') })
  t.equal(rounds(), 6, '-w overrides SVWAIT and implies -v')
  t.equal(mask(r.stdout), 'timeout: run: ./svc: (pid PID) Ns\n')
  r = await sv('ours', ['-vw0x', 'up', './svc'], { cwd: dirname(s.dir), env: env('1000') })
  t.equal(rounds(), 8, 'bundled options, -w takes leading digits')
})

t.test('a trailing-slash name works in the wait loop too (runit failed there)', async t => {
  const s = await up(t, { down: true })
  t.same(masked(await s.run('-v', 'up', 'svc/')), [0, 'ok: run: svc/: (pid PID) Ns, normally down\n', ''])
})

t.test('usage errors', async t => {
  const base = t.testdir()
  const usage = 'usage: sv [-v] [-w sec] command service ...\n\n'
  const run = async (...args: string[]): Promise<[number | null, string, string]> => masked(await sv('ours', args, { cwd: base }))
  t.same(await run(), [100, '', usage])
  t.same(await run('status'), [100, '', usage], 'no service')
  t.same(await run('bogus', 'x'), [100, '', usage])
  t.same(await run('restarts', 'x'), [100, '', usage])
  t.same(await run('-z', 'status', 'x'), [100, '', 'sv: illegal option -- z\n' + usage])
  t.same(await run('-w'), [100, '', 'sv: option requires an argument -- w\n' + usage])
  const v = await run('-V', 'status', 'x')
  t.equal(v[0], 100)
  t.match(v[2], /^\$Id: runit-ts sv \S+ \$\nusage: sv \[-v\] \[-w sec\] command service \.\.\.\n\n$/)
})
