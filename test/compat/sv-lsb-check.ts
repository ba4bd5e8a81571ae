// sv against runit's: the LSB init-script personality and the check command, in the four
// runsv/sv pairings; then the two deliberate differences (runit 2.3.0's fixes) side by side.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs'
import { serviceIn, stat, pidOf } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { needRunit } from '../helpers/runit.js'
import { runsv, testdir, lsbLink, mask, sv, Transcript, PAIRS, type Step, type Impl } from '../helpers/sv.js'

// HUP (reload) is ignored: a service killed by it within a second of its start would still be in
// runsv's restart pause when sv reads the status, and the pairings would differ by timing alone.
const SERVICE = "trap 'exit 0' TERM\ntrap '' HUP\nwhile :; do sleep 1; done"

async function lsb (t: Test, root: string, pair: typeof PAIRS[number]): Promise<Step[]> {
  const base = join(root, `${pair.runsv}-${pair.sv}`)
  const initd = join(base, 'init.d')
  mkdirSync(join(base, 'nosup'), { recursive: true })
  mkdirSync(initd)
  const dir = serviceIn(base, { name: 'plain', run: SERVICE, down: true })
  const sup = runsv(t, pair.runsv, dir)
  await until(() => stat(dir), s => s === 'down\n', { timeout: 15000, what: 'stat' })
  const s = new Transcript(pair.sv, initd, cleanEnv({ SVDIR: base }))
  const plain = lsbLink(pair.sv, 'plain', initd)
  const nosup = lsbLink(pair.sv, 'nosup', initd)
  const none = lsbLink(pair.sv, 'none', initd)

  await s.via(plain, 'plain', 'status')
  await s.via(plain, 'plain', 'start')
  await s.via(plain, 'plain', 'status', 'extra', 'args')
  await s.via(plain, 'plain', 'reload')
  const pid = pidOf(dir)
  await s.via(plain, 'plain', 'restart')
  await until(() => pidOf(dir), p => p !== 0 && p !== pid, { timeout: 15000, what: 'restarted' })
  await s.via(plain, 'plain', 'check')
  await s.via(plain, 'plain', 'stop')
  await s.via(plain, 'plain', 'try-restart')
  await s.via(plain, 'plain', 'force-stop')
  await s.via(plain, 'plain')
  await s.via(plain, 'plain', 'stat')
  await s.via(plain, 'plain', 'restarts')
  await s.via(plain, 'plain', '-z', 'status')
  await s.via(nosup, 'nosup', 'status')
  await s.via(none, 'none', 'status')
  await s.via(none, 'none', 'start')
  await s.via(plain, 'plain', 'shutdown')
  t.same(await sup.exit, [0, null], `${pair.label}: runsv exited 0`)
  await s.via(plain, 'plain', 'status')
  return s.steps
}

async function check (t: Test, root: string, pair: typeof PAIRS[number]): Promise<Step[]> {
  const base = join(root, `${pair.runsv}-${pair.sv}`)
  mkdirSync(base, { recursive: true })
  const dir = serviceIn(base, { run: SERVICE, check: 'test -e ready' })
  runsv(t, pair.runsv, dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  const s = new Transcript(pair.sv, base)
  await s.sv('-w', '1', 'check', './svc')
  await s.sv('-w', '1', 'up', './svc')
  writeFileSync(join(dir, 'ready'), '')
  await s.sv('check', './svc')
  await s.sv('-v', 'up', './svc')
  await s.sv('-v', 'down', './svc')
  // 2.1.2 and 2.3.0 agree on a down service that wants down.
  await s.sv('check', './svc')
  await s.sv('start', './svc')
  // A check that cannot be executed counts as ready, with a warning on stderr.
  chmodSync(join(dir, 'check'), 0o644)
  await s.sv('check', './svc')
  await s.sv('-v', 'exit', './svc')
  return s.steps
}

for (const [name, scenario] of [['LSB init-script personality', lsb], ['check', check]] as const) {
  t.test(name, needRunit(), async t => {
    const root = testdir(t)
    const runs: Step[][] = []
    for (const pair of PAIRS) runs.push(await scenario(t, root, pair))
    const [reference, ...others] = runs
    t.ok(reference!.length > 5, 'the scenario ran')
    if (process.env.SV_COMPAT_DUMP !== undefined) t.comment(reference!.map(s => `$ ${s.cmd}  [${s.code}]\n${s.stdout}${s.stderr}`).join(''))
    others.forEach((steps, i) => { t.same(steps, reference, `${PAIRS[i + 1]!.label} = ${PAIRS[0]!.label}`) })
  })
}

t.test('difference: LSB status of a down service with a running log is 3 (runit 2.1.2: 0)', needRunit(), async t => {
  const base = testdir(t)
  const dir = serviceIn(base, { name: 'svc', run: SERVICE, down: true, log: 'exec cat >/dev/null' })
  runsv(t, 'runit', dir)
  await until(() => stat(dir) === 'down\n' && stat(join(dir, 'log')) === 'run\n', ok => ok, { timeout: 15000, what: 'stats' })
  const env = cleanEnv({ SVDIR: base })
  const status = async (impl: Impl): Promise<[number | null, string]> => {
    const link = lsbLink(impl, 'svc', join(base, impl))
    const r = await sv(impl, ['status'], { exe: link, cwd: base, env })
    return [r.code, mask(r.stdout)]
  }
  mkdirSync(join(base, 'ours'))
  mkdirSync(join(base, 'runit'))
  t.same(await status('ours'), [3, 'down: svc: Ns; run: log: (pid PID) Ns\n'], 'ours: from the main service')
  t.same(await status('runit'), [0, 'down: svc: Ns; run: log: (pid PID) Ns\n'], "runit 2.1.2's: from the log")
})

t.test('difference: check on a crash-looping want-up service fails (runit 2.1.2 passed it)', needRunit(), async t => {
  const base = testdir(t)
  const dir = serviceIn(base, { name: 'crash', run: 'exit 1', check: 'exit 1' })
  runsv(t, 'runit', dir)
  await until(() => stat(dir), s => s.startsWith('down'), { timeout: 15000, what: 'stat' })
  const ours = await sv('ours', ['-w', '1', 'check', './crash'], { cwd: base })
  t.equal(ours.code, 1, 'ours: timeout')
  t.match(mask(ours.stdout), /^timeout: (down: \.\/crash: Ns, normally up, want up|run: \.\/crash: \(pid PID\) Ns)\n$/)
  const theirs = await sv('runit', ['-w', '1', 'check', './crash'], { cwd: base })
  t.equal(theirs.code, 0, "runit 2.1.2's: ok while momentarily down")
  t.equal(mask(theirs.stdout), 'ok: down: ./crash: Ns, normally up, want up\n')
})
