// sv status against our runsv: every state word and suffix, the log part, and every failure line.
import t from 'tap'
import { join, dirname } from 'node:path'
import { mkdirSync, writeFileSync, rmSync, closeSync, symlinkSync, existsSync } from 'node:fs'
import { service, serviceIn, stat, pidOf } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { sv, runsv, mask, testdir } from '../helpers/sv.js'
import { makeFifos, openFifoReader } from '../../build/os/fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { sendControl } from '../../build/svdir/control-fifo.js'

const logPid = (dir: string): number => pidOf(join(dir, 'log'))

/** ./svc's status from its parent directory, pids and ages masked. */
async function status (dir: string, ...more: string[]): Promise<{ code: number | null, out: string, err: string }> {
  const r = await sv('ours', ['status', './svc', ...more], { cwd: dirname(dir) })
  return { code: r.code, out: mask(r.stdout), err: r.stderr }
}

t.test('run with a log service: both records on one line', async t => {
  const dir = service(t, { run: 'exec sleep 1000', log: 'exec cat >/dev/null' })
  runsv(t, 'ours', dir)
  await until(() => pidOf(dir) > 0 && logPid(dir) > 0, ok => ok, { timeout: 15000, what: 'both running' })
  const r = await sv('ours', ['status', './svc'], { cwd: dirname(dir) })
  t.equal(r.code, 0)
  t.match(r.stdout, new RegExp(`^run: \\./svc: \\(pid ${pidOf(dir)}\\) \\d+s; run: log: \\(pid ${logPid(dir)}\\) \\d+s\\n$`))
  t.equal(r.stderr, '')
})

t.test('down, normally up; run, normally down; down without suffix', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'down\n', { timeout: 15000, what: 'stat' })
  t.same(await status(dir), { code: 0, out: 'down: ./svc: Ns, normally up\n', err: '' })
  writeFileSync(join(dir, 'down'), '')
  t.same(await status(dir), { code: 0, out: 'down: ./svc: Ns\n', err: '' }, 'down file: no suffix when down')
  sendControl(servicePaths(dir), 'u')
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  t.same(await status(dir), { code: 0, out: 'run: ./svc: (pid PID) Ns, normally down\n', err: '' })
})

t.test('paused', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  sendControl(servicePaths(dir), 'p')
  await until(() => stat(dir), s => s === 'run, paused\n', { timeout: 15000, what: 'stat' })
  t.same(await status(dir), { code: 0, out: 'run: ./svc: (pid PID) Ns, paused\n', err: '' })
  sendControl(servicePaths(dir), 'c')
})

t.test('want down, got TERM: a service that ignores TERM', async t => {
  const dir = service(t, { run: "trap '' TERM\necho ready > ready\nexec sleep 1000" })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  await until(() => existsSync(join(dir, 'ready')), ok => ok, { timeout: 15000, what: 'ready file' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'run, got TERM, want down\n', { timeout: 15000, what: 'stat' })
  t.same(await status(dir), { code: 0, out: 'run: ./svc: (pid PID) Ns, want down, got TERM\n', err: '' })
  sendControl(servicePaths(dir), 'k')
})

t.test('finish: the finish pid, want down', async t => {
  const dir = service(t, { run: 'exec sleep 1000', finish: 'exec sleep 1000' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'finish, want down\n', { timeout: 15000, what: 'stat' })
  const r = await sv('ours', ['status', './svc'], { cwd: dirname(dir) })
  t.match(r.stdout, new RegExp(`^finish: \\./svc: \\(pid ${pidOf(dir)}\\) \\d+s, want down\\n$`))
  t.equal(r.code, 0)
  process.kill(pidOf(dir), 'SIGTERM') // let the finish end, so runsv can exit at teardown
})

t.test('want up: a crashing service between two runs', async t => {
  const dir = service(t, { run: 'sleep 0.1; exit 1' })
  runsv(t, 'ours', dir)
  const seen = await until(async () => (await status(dir)).out, s => s.startsWith('down: '), { timeout: 15000, what: 'status' })
  t.equal(seen, 'down: ./svc: Ns, normally up, want up\n')
})

t.test('a down log service in the log part', async t => {
  const dir = service(t, { run: 'exec sleep 1000', log: 'exec cat >/dev/null', logDown: true, down: true })
  runsv(t, 'ours', dir)
  await until(() => stat(dir) === 'down\n' && stat(join(dir, 'log')) === 'down\n', ok => ok, { timeout: 15000, what: 'stats' })
  t.same(await status(dir), { code: 0, out: 'down: ./svc: Ns; down: log: Ns\n', err: '' })
})

t.test('runsv not running; no supervise directory; no such service', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  const r = runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  sendControl(servicePaths(dir), 'x')
  await r.exit
  const base = dirname(dir)
  mkdirSync(join(base, 'nosup'))
  const got = await sv('ours', ['status', './svc', './nosup', './none', 'bare', ''], { cwd: base, env: cleanEnv({ SVDIR: base }) })
  t.equal(got.stdout, [
    'fail: ./svc: runsv not running',
    'warning: ./nosup: unable to open supervise/ok: file does not exist',
    'fail: ./none: unable to change to service directory: file does not exist',
    'fail: bare: unable to change to service directory: file does not exist',
    'fail: : unable to change to service directory: file does not exist',
    ''
  ].join('\n'))
  t.equal(got.code, 5, 'one error per failed service')
  t.equal(got.stderr, '')
})

t.test('the exit code counts failures up to 99', async t => {
  const base = testdir(t)
  const names = Array.from({ length: 120 }, (_, i) => `./n${i}`)
  const got = await sv('ours', ['status', ...names], { cwd: base })
  t.equal(got.code, 99)
  t.equal(got.stdout.split('\n').length - 1, 120)
})

t.test('name resolution: bare names in SVDIR; ./, / and trailing / from the cwd', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  const base = dirname(dir)
  const elsewhere = join(base, 'elsewhere')
  mkdirSync(elsewhere)
  const line = (name: string): string => `run: ${name}: (pid PID) Ns\n`
  const env = cleanEnv({ SVDIR: base })
  t.equal(mask((await sv('ours', ['status', 'svc'], { cwd: elsewhere, env })).stdout), line('svc'))
  t.equal(mask((await sv('ours', ['status', dir], { cwd: elsewhere, env })).stdout), line(dir))
  t.equal(mask((await sv('ours', ['status', 'svc/'], { cwd: base, env: cleanEnv({ SVDIR: elsewhere }) })).stdout), line('svc/'))
  const r = await sv('ours', ['status', 'svc/'], { cwd: elsewhere, env })
  t.equal(r.stdout, 'fail: svc/: unable to change to service directory: file does not exist\n', 'trailing slash is not looked up in SVDIR')
  // A relative SVDIR is relative to the cwd.
  t.equal(mask((await sv('ours', ['status', 'svc'], { cwd: dirname(base), env: cleanEnv({ SVDIR: base.split('/').pop()! }) })).stdout), line('svc'))
  t.equal(mask((await sv('ours', ['status', 'svc'], { cwd: base, env: cleanEnv({ SVDIR: '.' }) })).stdout), line('svc'))
  // SVDIR unset: /etc/service (Debian's default).
  const dflt = await sv('ours', ['status', 'no-such-service-here'], { cwd: elsewhere })
  t.equal(dflt.stdout, 'fail: no-such-service-here: unable to change to service directory: file does not exist\n')
  // ".." crosses a symlink physically, as chdir does.
  mkdirSync(join(elsewhere, 'real'))
  symlinkSync(join(base, 'svc'), join(elsewhere, 'real', 'link'))
  t.equal(mask((await sv('ours', ['status', './real/link/../svc'], { cwd: elsewhere })).stdout), line('./real/link/../svc'))
  // A file is not a service directory.
  writeFileSync(join(elsewhere, 'file'), '')
  t.equal((await sv('ours', ['status', './file'], { cwd: elsewhere })).stdout, 'fail: ./file: unable to change to service directory: not a directory\n')
})

t.test('status record missing or of the wrong size', async t => {
  const base = testdir(t)
  const dir = join(base, 'svc')
  mkdirSync(join(dir, 'supervise'), { recursive: true })
  const ok = join(dir, 'supervise', 'ok')
  makeFifos([ok])
  // Hold supervise/ok's read end, as a runsv would, so sv gets past "runsv not running".
  const fd = openFifoReader(ok)
  t.teardown(() => { closeSync(fd) })
  let r = await sv('ours', ['status', './svc'], { cwd: base })
  t.equal(r.stdout, 'warning: ./svc: unable to open supervise/status: file does not exist\n')
  t.equal(r.code, 1)
  writeFileSync(join(dir, 'supervise', 'status'), Buffer.alloc(10))
  r = await sv('ours', ['status', './svc'], { cwd: base })
  t.equal(r.stdout, 'warning: ./svc: unable to read supervise/status: bad format\n')
  t.equal(r.code, 1)
})

t.test('log part failures: not a directory, no supervise, runsv not running there', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })

  writeFileSync(join(dir, 'log'), '')
  let r = await status(dir)
  t.same(r, { code: 1, out: 'run: ./svc: (pid PID) Ns; warning: ./svc/log: unable to change directory: not a directory\n', err: '' })

  rmSync(join(dir, 'log'))
  mkdirSync(join(dir, 'log'))
  // runit then prints the main record again, labelled log (its stale buffer), after the warning.
  r = await status(dir)
  t.same(r, {
    code: 1,
    out: 'run: ./svc: (pid PID) Ns; warning: ./svc/log: unable to open supervise/ok: file does not exist\nrun: log: (pid PID) Ns\n',
    err: ''
  })

  mkdirSync(join(dir, 'log', 'supervise'))
  makeFifos([join(dir, 'log', 'supervise', 'ok')])
  r = await status(dir)
  t.same(r, { code: 1, out: 'run: ./svc: (pid PID) Ns; fail: ./svc/log: runsv not running\n', err: '' })
})

t.test('several services in one call, in order', async t => {
  const base = testdir(t)
  const a = serviceIn(base, { run: 'exec sleep 1000', name: 'a' })
  const b = serviceIn(base, { run: 'exec sleep 1000', name: 'b', down: true })
  runsv(t, 'ours', a)
  runsv(t, 'ours', b)
  await until(() => stat(a) === 'run\n' && stat(b) === 'down\n', ok => ok, { timeout: 15000, what: 'stats' })
  const r = await sv('ours', ['status', a, b], {})
  t.equal(mask(r.stdout), `run: ${a}: (pid PID) Ns\ndown: ${b}: Ns\n`)
  t.equal(r.code, 0)
})
