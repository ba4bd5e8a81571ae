import t from 'tap'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startRunsvdir, makeService, cmdline } from './tree.js'
import { argvOf, commOf } from '../helpers/ps.js'
import { cleanEnv } from '../helpers/clean-env.js'

t.test('the log argument shows the latest stderr bytes in /proc/PID/cmdline and ps', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc', 'echo "boom from svc" >&2\nexec sleep 1000')
  const log = 'log: ' + '.'.repeat(40)
  const r = startRunsvdir(t, [scan, log], { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  // 40 dots, the start-up dot scrolls one out (still 40), then 14 bytes of the service's stderr.
  const want = `log: ${'.'.repeat(26)}boom from svc\n`
  await until(() => cmdline(r.pid), s => s.includes(want), { what: 'cmdline' })
  t.same(argvOf(r.pid), ['runsvdir', scan, want], 'runit\'s argv: the program, the directory, the window in place of the log')
  t.equal(commOf(r.pid), 'runsvdir')
  const ps = execFileSync('ps', ['-o', 'args=', '-p', String(r.pid)], { env: cleanEnv(), encoding: 'latin1' })
  t.match(ps, 'boom from svc', 'ps shows it')
  t.equal(r.stderr(), '', 'nothing on the real stderr')
})

t.test('runsvdir\'s own warnings go to the title too', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  symlinkSync(join(base, 'nowhere'), join(scan, 'dangling'))
  const r = startRunsvdir(t, [scan, 'log: ' + '.'.repeat(80)])
  await until(() => cmdline(r.pid), s => s.includes('unable to stat dangling: file does not exist\n'), { what: 'cmdline' })
  t.equal(r.stderr(), '')
})

t.test('a log argument under seven characters: runit\'s two warnings, and no log', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc', 'echo "to stderr" >&2\nexec sleep 1000')
  const r = startRunsvdir(t, [scan, 'log: x'], { services: [svc] })
  await until(() => r.stderr(), s => s.includes('to stderr'), { what: 'stderr' })
  t.equal(r.stderr(), `runsvdir ${scan}: warning: log must have at least seven characters.\n` +
    `runsvdir ${scan}: warning: log service disabled.\nto stderr\n`)
  t.same(argvOf(r.pid), ['runsvdir', scan, 'log: x'], 'the command line is as given')
})
