// sv invoked under another name (a symlink /etc/init.d/<svc> → sv) is that service's LSB init
// script: one service, the init-script words, exit codes 0/1/2/3/4 (and 151 on fatal errors).
import t from 'tap'
import { join, dirname } from 'node:path'
import { mkdirSync } from 'node:fs'
import { service, stat, pidOf } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { sv, runsv, mask, lsbLink } from '../helpers/sv.js'

/** An init.d-style link named svc, using SVDIR = the service's parent. */
function initScript (dir: string, name = 'svc'): (...args: string[]) => Promise<[number | null, string, string]> {
  const initd = join(dirname(dir), 'init.d')
  mkdirSync(initd, { recursive: true })
  const link = lsbLink('ours', name, initd)
  return async (...args) => {
    const r = await sv('ours', args, { exe: link, cwd: initd, env: cleanEnv({ SVDIR: dirname(dir) }) })
    return [r.code, mask(r.stdout), r.stderr]
  }
}

t.test('status: 0 running, 3 down; the service is the invoked name', async t => {
  // HUP (reload) is ignored: killed by it, the service would be in runsv's one-second restart
  // pause when sv reads the status, or not yet, by timing alone (failed once in CI under load).
  const dir = service(t, { run: "trap '' HUP\nexec sleep 1000", down: true })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'down\n', { timeout: 15000, what: 'stat' })
  const svc = initScript(dir)
  t.same(await svc('status'), [3, 'down: svc: Ns\n', ''])
  t.same(await svc('start'), [0, 'ok: run: svc: (pid PID) Ns, normally down\n', ''])
  t.same(await svc('status', 'ignored', 'args'), [0, 'run: svc: (pid PID) Ns, normally down\n', ''], 'arguments after the command are ignored')
  t.same(await svc('reload'), [0, 'ok: run: svc: (pid PID) Ns, normally down\n', ''])
  t.same(await svc('stop'), [0, 'ok: down: svc: Ns\n', ''])
  t.same(await svc('up'), [0, '', ''], 'other commands of the table work too')
  await until(() => pidOf(dir), p => p > 0, { timeout: 15000, what: 'pid' })
  t.same(await svc('shutdown'), [0, 'ok: svc: runsv not running\n', ''])
  t.same(await svc('status'), [1, 'fail: svc: runsv not running\n', ''])
})

t.test('status with a log service: the main service decides (runit 2.3.0)', async t => {
  const dir = service(t, { run: 'exec sleep 1000', down: true, log: 'exec cat >/dev/null' })
  runsv(t, 'ours', dir)
  await until(() => stat(dir) === 'down\n' && stat(join(dir, 'log')) === 'run\n', ok => ok, { timeout: 15000, what: 'stats' })
  const svc = initScript(dir)
  t.same(await svc('status'), [3, 'down: svc: Ns; run: log: (pid PID) Ns\n', ''])
})

t.test('status 4 when the status cannot be read; 1 when there is no such service', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  const svc = initScript(dir)
  t.same(await svc('status'), [4, 'warning: svc: unable to open supervise/ok: file does not exist\n', ''])
  const none = initScript(dir, 'none')
  t.same(await none('status'), [1, 'fail: none: unable to change to service directory: file does not exist\n', ''])
  t.same(await none('start'), [1, 'fail: none: unable to change to service directory: file does not exist\n', ''])
})

t.test('a timeout is 1', async t => {
  const dir = service(t, { run: "trap '' TERM\nexec sleep 1000" })
  runsv(t, 'ours', dir)
  await until(() => stat(dir), s => s === 'run\n', { timeout: 15000, what: 'stat' })
  const svc = initScript(dir)
  t.same(await svc('-w', '0', 'stop'), [1, 'timeout: run: svc: (pid PID) Ns, want down, got TERM\n', ''])
  t.same(await svc('-w', '0', 'force-stop'), [1, 'kill: run: svc: (pid PID) Ns, want down, got TERM\n', ''])
})

t.test('usage is 2', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  const svc = initScript(dir)
  const usage = 'usage: svc [-w sec] command\n\n'
  t.same(await svc(), [2, '', usage])
  t.same(await svc('stat'), [2, '', usage], 'only start, stop, shutdown and status among the s-words')
  t.same(await svc('bogus'), [2, '', usage])
  t.same(await svc('-z', 'status'), [2, '', 'svc: illegal option -- z\n' + usage])
})
