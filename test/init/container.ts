// runit --container as PID 1 of a new PID namespace: orphans reaped, TERM, the main command's
// code, a critical service, output prefixed with the service's name.
import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pid1Skip, startInit, below } from '../helpers/init.js'
import { serviceIn, shq, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

t.test('runit --container as PID 1', { skip: pid1Skip }, async t => {
  t.test('200 orphans that exit leave no zombie', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    const orph = serviceIn(svc, {
      name: 'orphans',
      run: `for i in $(seq 1 200); do (sleep 2 &); done; touch ${shq(join(dir, 'spawned'))}; exec sleep 1000`
    })
    const init = startInit(t, ['--container'], { RUNIT_TS_SERVICES: svc })
    const pid1 = await init.init()
    await until(() => existsSync(join(dir, 'spawned')), ok => ok, { what: 'orphans spawned', timeout: 20000 })
    const adopted = await until(() => below(pid1).filter(p => p.ppid === pid1 && p.comm === 'sleep').length, n => n > 0,
      { what: 'orphans adopted by PID 1', timeout: 10000 })
    t.ok(adopted > 0, `PID 1 adopted ${adopted} orphans`)
    const left = await until(() => below(pid1).filter(p => p.comm === 'sleep' || p.state === 'Z'),
      ps => ps.every(p => p.state !== 'Z') && ps.filter(p => p.comm === 'sleep').length === 1,
      { what: 'sleeps and zombies below PID 1', timeout: 20000 })
    t.equal(left.filter(p => p.state === 'Z').length, 0, 'no zombie')
    t.equal(stat(orph), 'run\n')
    process.kill(pid1, 'SIGTERM')
    t.same(await init.exit, [0, null], 'TERM without a main command: exit 0')
  })

  t.test('TERM stops every service and exits with the main command\'s code', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    const a = serviceIn(svc, { name: 'a', run: 'exec sleep 1000' })
    const b = serviceIn(svc, { name: 'b', run: `trap "echo b-termed >> ${shq(join(dir, 'b'))}; exit 0" TERM; while :; do sleep 0.1; done` })
    const up = join(dir, 'main-up')
    const init = startInit(t, ['--container', '--', 'sh', '-c', `trap 'exit 3' TERM; touch ${shq(up)}; while :; do sleep 0.1; done`],
      { RUNIT_TS_SERVICES: svc })
    const pid1 = await init.init()
    await until(() => [stat(a), stat(b), existsSync(up)], ([x, y, z]) => x === 'run\n' && y === 'run\n' && z === true,
      { what: 'services and main command up', timeout: 20000 })
    process.kill(pid1, 'SIGTERM')
    t.same(await init.exit, [3, null], 'the main command\'s code')
    t.equal(stat(a), 'down\n')
    t.equal(stat(b), 'down\n')
    t.ok(existsSync(join(dir, 'b')), 'b got TERM')
  })

  t.test('the main command\'s exit ends the container with its code', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    const a = serviceIn(svc, { name: 'a', run: 'exec sleep 1000' })
    const init = startInit(t, ['--container', 'sh', '-c', `until [ -s ${shq(join(a, 'supervise', 'pid'))} ]; do sleep 0.1; done; exit 42`],
      { RUNIT_TS_SERVICES: svc })
    t.same(await init.exit, [42, null])
    t.equal(stat(a), 'down\n')
  })

  t.test('a critical service\'s failure ends the container with its code', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    serviceIn(svc, { name: 'a', run: 'exec sleep 1000' })
    const crit = serviceIn(svc, { name: 'db', run: 'sleep 0.3; exit 5' })
    writeFileSync(join(crit, 'critical'), '')
    const init = startInit(t, ['--container'], { RUNIT_TS_SERVICES: svc })
    t.same(await init.exit, [5, null])
    t.match(init.stderr(), /- runit: warning: critical service failed: db/)
  })

  t.test('output of a service without log/ is prefixed; environment passed', async t => {
    const dir = t.testdir()
    const svc = join(dir, 'service')
    serviceIn(svc, { name: 'web', run: 'echo "hello $GREETING"; echo oops >&2; exec sleep 1000' })
    const init = startInit(t, ['--container', 'sh', '-c', 'sleep 1'], { RUNIT_TS_SERVICES: svc, GREETING: 'world' })
    await until(() => init.stdout() + init.stderr(), s => s.includes('web: hello world\n') && s.includes('web: oops\n'),
      { what: 'output', timeout: 10000 })
    t.same(await init.exit, [0, null])
    t.match(init.stdout(), /^web: hello world$/m)
    t.match(init.stderr(), /^web: oops$/m)
  })

  t.test('bad input: a missing service directory, a bad stop wait', async t => {
    const dir = t.testdir()
    const missing = startInit(t, ['--container'], { RUNIT_TS_SERVICES: join(dir, 'nope') })
    t.same(await missing.exit, [111, null])
    t.match(missing.stderr(), /fatal: unable to open service directory: .*nope/)
    const bad = startInit(t, ['--container'], { RUNIT_TS_SERVICES: dir, RUNIT_TS_STOP_WAIT: 'soon' })
    t.same(await bad.exit, [100, null])
    t.match(bad.stderr(), /RUNIT_TS_STOP_WAIT is not a number of seconds: soon/)
    const lost = startInit(t, ['--container', 'no-such-command-here'], { RUNIT_TS_SERVICES: dir })
    t.same(await lost.exit, [127, null], 'a main command that cannot start: 127, as a shell')
    t.match(lost.stderr(), /warning: unable to start no-such-command-here: file does not exist/)
    const usage = startInit(t, ['--bogus'], {})
    t.same(await usage.exit, [100, null])
    t.match(usage.stderr(), /usage: runit/)
  })
})
