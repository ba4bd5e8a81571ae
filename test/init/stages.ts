// runit's three stages as PID 1 of a new PID namespace: stage 1's failure, stage 2's restart,
// TERM running stage 3, whose code becomes the exit code.
import t from 'tap'
import { existsSync, readFileSync, mkdirSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { pid1Skip, startInit } from '../helpers/init.js'
import { script, shq, serviceIn, stat } from '../helpers/svdir.js'
import { ROOT } from '../helpers/bin.js'
import { PATH } from '../helpers/clean-env.js'
import { until } from '../helpers/until.js'

function stages (dir: string, bodies: Record<string, string>): string {
  const s = join(dir, 'stages')
  mkdirSync(s)
  for (const [name, body] of Object.entries(bodies)) script(join(s, name), body)
  return s
}

t.test('runit as PID 1', { skip: pid1Skip }, async t => {
  t.test('stage 1, 2, 3 in order; the exit code is stage 3\'s', async t => {
    const dir = t.testdir()
    const log = join(dir, 'log')
    const s = stages(dir, {
      1: `echo 1 $PPID >> ${shq(log)}`,
      2: `echo 2 >> ${shq(log)}`,
      3: `echo 3 >> ${shq(log)}; exit 7`
    })
    const init = startInit(t, [], { RUNIT_TS_STAGES: s })
    t.same(await init.exit, [7, null])
    t.equal(readFileSync(log, 'utf8'), '1 1\n2\n3\n', 'stage 1 ran as a child of PID 1; then 2 and 3')
    t.match(init.stderr(), /- runit: enter stage: .*\/1\n/)
  })

  t.test('stage 1 exiting 100 or crashing skips stage 2', async t => {
    for (const end of ['exit 100', 'kill -KILL $$']) {
      const dir = t.testdir()
      const log = join(dir, 'log')
      const s = stages(dir, { 1: end, 2: `echo 2 >> ${shq(log)}`, 3: `echo 3 >> ${shq(log)}` })
      const init = startInit(t, [], { RUNIT_TS_STAGES: s })
      t.same(await init.exit, [0, null], end)
      t.equal(readFileSync(log, 'utf8'), '3\n', `${end}: stage 3 only`)
      t.match(init.stderr(), /warning: skipping stage 2\.\.\./)
    }
  })

  t.test('stage 1 exiting 1 goes on to stage 2', async t => {
    const dir = t.testdir()
    const log = join(dir, 'log')
    const s = stages(dir, { 1: 'exit 1', 2: `echo 2 >> ${shq(log)}`, 3: 'exit 0' })
    const init = startInit(t, [], { RUNIT_TS_STAGES: s })
    t.same(await init.exit, [0, null])
    t.equal(readFileSync(log, 'utf8'), '2\n')
  })

  t.test('stage 2 exiting 111 is restarted', async t => {
    const dir = t.testdir()
    const log = join(dir, 'log')
    const s = stages(dir, {
      1: 'exit 0',
      2: `echo 2 >> ${shq(log)}; [ "$(wc -l < ${shq(log)})" -ge 2 ] || exit 111`,
      3: 'exit 0'
    })
    const init = startInit(t, [], { RUNIT_TS_STAGES: s })
    t.same(await init.exit, [0, null])
    t.equal(readFileSync(log, 'utf8'), '2\n2\n')
    t.match(init.stderr(), /warning: restarting\./)
  })

  t.test('TERM ends stage 2, runs stage 3 and exits with its code', async t => {
    const dir = t.testdir()
    const mark = join(dir, 'mark')
    const s = stages(dir, {
      1: 'exit 0',
      // the trap in double quotes: shq's single quotes stay quotes when the trap runs
      2: `trap "echo termed > ${shq(mark)}; exit 0" TERM; touch ${shq(mark + '.up')}; while :; do sleep 0.1; done`,
      3: `echo 3 >> ${shq(mark)}; exit 4`
    })
    const init = startInit(t, [], { RUNIT_TS_STAGES: s })
    await until(() => existsSync(`${mark}.up`), ok => ok, { what: 'stage 2 up' })
    process.kill(await init.init(), 'SIGTERM')
    t.same(await init.exit, [4, null])
    t.equal(readFileSync(mark, 'utf8'), 'termed\n3\n')
  })

  t.test('INT runs ctrlaltdel, then CONT with stopit shuts down', async t => {
    const dir = t.testdir()
    const mark = join(dir, 'mark')
    const s = stages(dir, {
      1: 'exit 0',
      2: `touch ${shq(mark)}.up; while :; do sleep 0.1; done`,
      3: `echo 3 >> ${shq(mark)}; exit 5`,
      // runit's habit: ctrlaltdel makes stopit executable, and runit then acts as on CONT
      ctrlaltdel: `echo cad >> ${shq(mark)}; chmod 100 "$(dirname "$0")/stopit"`
    })
    writeFileSync(join(s, 'stopit'), '')
    chmodSync(join(s, 'stopit'), 0o644)
    const init = startInit(t, [], { RUNIT_TS_STAGES: s })
    await until(() => existsSync(`${mark}.up`), ok => ok, { what: 'stage 2 up' })
    const pid1 = await init.init()
    process.kill(pid1, 'SIGCONT')
    process.kill(pid1, 'SIGINT')
    t.same(await init.exit, [5, null])
    t.equal(readFileSync(mark, 'utf8'), 'cad\n3\n', 'CONT without an executable stopit did nothing')
  })

  t.test('a machine\'s layout: stage 2 runs runsvdir, stage 3 stops the services with sv', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    const a = serviceIn(svc, { name: 'a', run: `exec sleep 1000` })
    const bin = join(ROOT, 'bin')
    const s = stages(dir, {
      1: 'exit 0',
      2: `exec ${shq(join(bin, 'runsvdir.js'))} -P ${shq(svc)}`,
      3: `${shq(join(bin, 'sv.js'))} -w 10 force-stop ${shq(a)}; ${shq(join(bin, 'sv.js'))} exit ${shq(a)}; exit 0`
    })
    // runsvdir finds runsv through PATH, as runit's does
    mkdirSync(join(dir, 'path'))
    symlinkSync(join(bin, 'runsv.js'), join(dir, 'path', 'runsv'))
    const init = startInit(t, [], { RUNIT_TS_STAGES: s, PATH: `${join(dir, 'path')}:${PATH}` })
    await until(() => { try { return stat(a) } catch { return '' } }, st => st === 'run\n', { what: 'service a', timeout: 20000 })
    process.kill(await init.init(), 'SIGTERM')
    t.same(await init.exit, [0, null])
    t.equal(stat(a), 'down\n')
  })
})

