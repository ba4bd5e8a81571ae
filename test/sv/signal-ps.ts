// sv signal, -a and sv ps (sv(8), SIGNALS AND PROCESSES): any signal by name or number through the
// control FIFO, to the main process or every process of the service; the service's processes as
// a tree; a user who may only write supervise/control; and runit's runsv, which knows none of it.
import t, { type Test } from 'tap'
import { join, dirname } from 'node:path'
import { chmodSync, readFileSync } from 'node:fs'
import { service, serviceIn, stat, pidOf, readText, sigs, SIGNAL_RECORDER } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sv, runsv, type Impl } from '../helpers/sv.js'
import { runBin, alive, killQuietly } from '../helpers/bin.js'
import { needRunit } from '../helpers/runit.js'
import { publicDir } from '../helpers/public-dir.js'
import { isRoot, nobodyCommand } from '../helpers/chpst.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { findHierarchy } from '../../build/os/cgroup.js'

const hierarchy = findHierarchy()
const needCgroup = { skip: !isRoot ? 'needs root (cgroup2 writes)' : hierarchy.ok ? false : `no writable cgroup2 here: ${hierarchy.why}` } as const

/** SIGNAL_RECORDER with a child that notes HUP in ./child-sigs (and its pid in ./child). */
const WITH_CHILD = `sh -c 'trap "echo HUP >> ./child-sigs" HUP; echo $$ > ./child; while :; do sleep 0.05; done' &
${SIGNAL_RECORDER}`

async function up (t: Test, impl: Impl = 'ours', run = SIGNAL_RECORDER, base?: string): Promise<string> {
  const dir = base === undefined ? service(t, { run, log: 'exec cat >/dev/null' }) : serviceIn(base, { run, log: 'exec cat >/dev/null' })
  runsv(t, impl, dir)
  await until(() => sigs(dir), s => s.includes('start'), { what: 'run started', timeout: 15_000 })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run', timeout: 15_000 })
  if (run === WITH_CHILD) {
    const child = await until(() => Number(readText(join(dir, 'child'))), p => p > 0, { what: 'child pid' })
    t.teardown(() => { killQuietly(child, 'SIGKILL') })
  }
  return dir
}

const ours = async (dir: string, ...args: string[]): ReturnType<typeof sv> => await sv('ours', args, { cwd: dirname(dir) })

t.test('sv signal: a name with or without SIG in any case, or a number', async t => {
  const dir = await up(t)
  const forms = ['HUP', 'SIGHUP', 'sighup', 'SigHup', '1', 'usr1', 'SIGUSR2', '14']
  for (const [i, form] of forms.entries()) {
    t.same(await ours(dir, 'signal', form, './svc'), { code: 0, stdout: '', stderr: '' }, form)
    await until(() => sigs(dir), s => s.length === i + 2, { what: `signal ${form} recorded` })
  }
  t.same(sigs(dir), ['start', 'HUP', 'HUP', 'HUP', 'HUP', 'HUP', 'USR1', 'USR2', 'ALRM'])
})

t.test('sv signal: an unknown signal is a usage error naming it', async t => {
  const dir = await up(t)
  for (const bad of ['NOPE', 'SIGNOPE', '0', '65', '']) {
    const r = await ours(dir, 'signal', bad, './svc')
    t.equal(r.code, 100, `exit 100 for ${JSON.stringify(bad)}`)
    t.equal(r.stderr, `sv: unknown signal: ${bad}\nusage: sv [-v] [-w sec] command service ...\n\n`)
  }
  t.same(sigs(dir), ['start'], 'nothing sent')
})

t.test('-a: to every process of the service; without it, the main one only', needCgroup, async t => {
  const dir = await up(t, 'ours', WITH_CHILD)
  await ours(dir, 'hup', './svc')
  await until(() => sigs(dir), s => s.includes('HUP'), { what: 'main HUP' })
  await ours(dir, 'signal', 'HUP', './svc')
  await until(() => sigs(dir), s => s.filter(x => x === 'HUP').length === 2, { what: 'main HUP twice' })
  t.equal(readText(join(dir, 'child-sigs')), '', 'the child had none')
  t.same(await ours(dir, '-a', 'hup', './svc'), { code: 0, stdout: '', stderr: '' })
  await until(() => readText(join(dir, 'child-sigs')), s => s === 'HUP\n', { what: 'the child got HUP' })
  await ours(dir, '-a', 'signal', 'sighup', './svc')
  await until(() => readText(join(dir, 'child-sigs')), s => s === 'HUP\nHUP\n', { what: 'the child got HUP again' })
  await until(() => sigs(dir), s => s.filter(x => x === 'HUP').length === 4, { what: 'main got both' })
})

t.test('sv -a kill: every process KILLed at once; the service restarts', needCgroup, async t => {
  const dir = await up(t, 'ours', WITH_CHILD)
  const main = pidOf(dir)
  const child = Number(readText(join(dir, 'child')))
  t.same(await ours(dir, '-a', 'kill', './svc'), { code: 0, stdout: '', stderr: '' })
  await until(() => [main, child].filter(alive), l => l.length === 0, { what: 'main and child gone' })
  await until(() => pidOf(dir), p => p !== 0 && p !== main, { what: 'restarted', timeout: 5000 })
})

t.test('-a with a command that sends no signal is a usage error', async t => {
  const dir = await up(t)
  const r = await ours(dir, '-a', 'up', './svc')
  t.equal(r.code, 100)
  t.equal(r.stderr, 'sv: -a: not a signal command: up\nusage: sv [-v] [-w sec] command service ...\n\n')
})

t.test('sv ps: the main and log leaves as a tree, headed by the cgroup', needCgroup, async t => {
  const dir = await up(t, 'ours', WITH_CHILD)
  await until(() => pidOf(join(dir, 'log')), p => p > 0, { what: 'log/run' })
  const main = pidOf(dir)
  const child = Number(readText(join(dir, 'child')))
  const log = pidOf(join(dir, 'log'))
  const r = await ours(dir, 'ps', './svc')
  t.equal(r.code, 0)
  const lines = r.stdout.split('\n')
  const leaf = /^cgroup (.*)$/m.exec(readFileSync(join(dir, 'supervise', 'cgroup'), 'utf8'))![1]!
  t.equal(lines[0], `./svc: cgroup ${dirname(leaf)}`)
  t.equal(lines[1], '├─main')
  t.match(r.stdout, new RegExp(`^│ [├└]─${main} /bin/sh ./run$`, 'm'), 'the main process')
  t.match(r.stdout, new RegExp(`^│ [├└]─${child} sh -c trap`, 'm'), 'its child')
  t.match(r.stdout, new RegExp(`^└─log\\n  └─${log} cat\\n$`, 'm'), 'the log service')
})

t.test('a user who may only write supervise/control: sv -a hup reaches a root service\'s processes', needCgroup, async t => {
  const base = publicDir(t)
  const dir = await up(t, 'ours', WITH_CHILD, base)
  // runit's way is a group; here every user may enter supervise/ and write the two FIFOs
  chmodSync(join(dir, 'supervise'), 0o755)
  for (const f of ['control', 'ok']) chmodSync(join(dir, 'supervise', f), 0o666)
  const r = await runBin('chpst', ['-u', 'nobody', ...nobodyCommand(t, 'sv', '-a', 'hup', dir)], { env: cleanEnv() })
  t.same([r.code, r.stdout, r.stderr], [0, '', ''], 'sv as nobody')
  await until(() => readText(join(dir, 'child-sigs')), s => s === 'HUP\n', { what: 'the child got HUP' })
  await until(() => sigs(dir), s => s.includes('HUP'), { what: 'main got HUP' })
})

t.test('runit\'s runsv: signal works on the main pid; -a and ps say the supervisor cannot', needRunit(), async t => {
  const dir = await up(t, 'runit')
  t.same(await ours(dir, 'signal', 'USR1', './svc'), { code: 0, stdout: '', stderr: '' })
  await until(() => sigs(dir), s => s.includes('USR1'), { what: 'USR1 by sv itself' })
  const all = await ours(dir, '-a', 'hup', './svc')
  t.same([all.code, all.stdout], [1, "fail: ./svc: runsv cannot signal every process of a service (not runit-ts's runsv)\n"])
  const ps = await ours(dir, 'ps', './svc')
  t.same([ps.code, ps.stdout], [1, "fail: ./svc: runsv does not list a service's processes (not runit-ts's runsv)\n"])
  t.same(sigs(dir), ['start', 'USR1'], 'no HUP reached it')
})
