// The deliberate differences from runit's sv that fix its races (sv(8), DIFFERENCES FROM RUNIT), shown side by
// side: the same situation given to runit's C sv and to ours. runit's sv fails what ours passes,
// which also shows these tests can fail.
import t from 'tap'
import { join } from 'node:path'
import { serviceIn, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { needRunit } from '../helpers/runit.js'
import { sv, runsv, mask, testdir, fakeRunsv, type Impl } from '../helpers/sv.js'
import { taiNow } from '../../build/protocol/tai64.js'

t.test('stale status: down sent during runsv\'s restart pause', needRunit(), async t => {
  // What runsv shows in its one-second pause after a crash: down, want up; the d is not read yet.
  const base = testdir(t)
  for (const impl of ['runit', 'ours'] as Impl[]) {
    const f = fakeRunsv(t, join(base, impl), { state: 'down', want: 'up' })
    const r = await sv(impl, ['-w', '1', 'down', `./${impl}`], { cwd: base })
    t.equal(f.letters(), 'd', `${impl}: d was sent`)
    if (impl === 'runit') t.same([r.code, mask(r.stdout)], [0, 'ok: down: ./runit: Ns, normally up, want up\n'], "runit's: ok from the record of before")
    else t.same([r.code, mask(r.stdout)], [1, 'timeout: down: ./ours: Ns, normally up, want up\n'], 'ours: no record after the command, so a timeout')
  }
})

t.test('stale status: a process started in the same second is not "restarted"', needRunit(), async t => {
  const base = testdir(t)
  for (const impl of ['runit', 'ours'] as Impl[]) {
    // Retry until runsv's record and sv's start fall in the same second, the case runit misjudges.
    let r
    for (let i = 0; i < 5; i++) {
      const when = taiNow()
      if (when.nano > 700_000_000) { await new Promise(resolve => setTimeout(resolve, 310)); continue }
      const f = fakeRunsv(t, join(base, `${impl}${i}`), { state: 'run', pid: 4242, want: 'up', when })
      r = await sv(impl, ['-w', '0', 'term', `./${impl}${i}`], { cwd: base })
      t.equal(f.letters(), 't', `${impl}: t was sent`)
      if (Math.floor(Date.now() / 1000) === when.sec || impl === 'ours') break
    }
    const out = mask(r!.stdout).replace(/^(\w+: run: )\.\/\w+:/, '$1svc:')
    if (impl === 'runit') t.same([r!.code, out], [0, 'ok: run: svc: (pid PID) Ns\n'], "runit's: the old process passes for a new one")
    else t.same([r!.code, out], [1, 'timeout: run: svc: (pid PID) Ns\n'], 'ours: compared to the millisecond')
  }
})

t.test('a trailing-slash name in the wait loop', needRunit(), async t => {
  const base = testdir(t)
  const dir = serviceIn(base, { run: 'exec sleep 1000', down: true })
  runsv(t, 'runit', dir)
  await until(() => stat(dir), s => s === 'down\n', { timeout: 15000, what: 'stat' })
  const theirs = await sv('runit', ['-v', 'up', 'svc/'], { cwd: base })
  t.same([theirs.code, theirs.stdout], [1, 'fail: svc/: unable to change to service directory: file does not exist\n'],
    "runit's: looks svc/ up in SVDIR after sending")
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  const ours = await sv('ours', ['-v', 'down', 'svc/'], { cwd: base })
  t.same([ours.code, mask(ours.stdout)], [0, 'ok: down: svc/: Ns\n'], 'ours: the same directory in both passes')
})
