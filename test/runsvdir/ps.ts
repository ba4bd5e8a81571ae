// runsvdir and the runsvs it starts show runit's names and command lines to ps, pidof and pgrep -x.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { argvOf, commOf, shownAs } from '../helpers/ps.js'
import { startRunsvdir, makeService } from './tree.js'

t.test('runsvdir -P dir, and a runsv per service as runsvdir runs it: runsv <name>', async t => {
  const scan = join(t.testdir(), 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc')
  const r = startRunsvdir(t, ['-P', scan], { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  await shownAs(t, r.pid, 'runsvdir', ['runsvdir', '-P', scan])
  const [runsv] = await until(() => r.runsvs(), l => l.length === 1, { what: 'runsvs' })
  await shownAs(t, runsv!, 'runsv', ['runsv', 'svc'])
})

t.test('runsvdir -1 dir: the one process shows what it was given', async t => {
  const scan = join(t.testdir(), 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc')
  const r = startRunsvdir(t, ['-1', scan], { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  await shownAs(t, r.pid, 'runsvdir', ['runsvdir', '-1', scan])
})

t.test('with a log, argv[0] stays runsvdir and the arguments after the log stay, as in runit', async t => {
  const scan = join(t.testdir(), 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc', 'echo "boom" >&2\nexec sleep 1000')
  const r = startRunsvdir(t, ['-P', scan, 'log: ..........', 'ignored'], { services: [svc] })
  const argv = await until(() => argvOf(r.pid), a => a[3] === 'log: .....boom\n', { what: 'argv' })
  t.same(argv, ['runsvdir', '-P', scan, 'log: .....boom\n', 'ignored'])
  t.equal(commOf(r.pid), 'runsvdir')
})
