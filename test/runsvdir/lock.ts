import t, { type Test } from 'tap'
import { mkdirSync, symlinkSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { alive } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { startRunsvdir, makeService, servicePid, exited } from './tree.js'

async function running (t: Test) {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc')
  const first = startRunsvdir(t, [scan], { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  return { base, scan, svc, first }
}

t.test('a second runsvdir on the same directory is refused, exit 100, the first untouched', async t => {
  const { scan, svc, first } = await running(t)
  const runsv = first.runsvs()
  const second = startRunsvdir(t, [scan], { services: [svc] })
  const [code] = await exited(second)
  t.equal(code, 100)
  t.equal(second.stderr(), `runsvdir ${scan}: fatal: unable to lock ${scan}: another runsvdir is running there (pid ${first.pid})\n`)
  t.equal(first.child.exitCode, null, 'the first still runs')
  t.same(first.runsvs(), runsv, 'with the same runsv')
  t.equal(second.seen().length, 0, 'the second started nothing')
  t.ok(existsSync(join(scan, '.runsvdir.lock')), 'the lock is a dot name in the directory')
})

t.test('the same directory through a symlink is the same directory', async t => {
  const { base, scan, svc, first } = await running(t)
  symlinkSync(scan, join(base, 'alias'))
  const second = startRunsvdir(t, [join(base, 'alias')], { services: [svc] })
  const [code] = await exited(second)
  t.equal(code, 100)
  t.match(second.stderr(), `another runsvdir is running there (pid ${first.pid})`)
})

t.test('after a crash the lock is stale at once; runsvs left behind are waited for, not fought', async t => {
  const { scan, svc, first } = await running(t)
  const [oldRunsv] = first.runsvs()
  const oldService = servicePid(svc)
  process.kill(first.pid, 'SIGKILL')
  await exited(first)
  t.ok(existsSync(join(scan, '.runsvdir.lock')), 'the crash left the lock behind')

  const second = startRunsvdir(t, [scan], { services: [svc] })
  // A forced rescan stamps .forced-rescan when done: by then the second has taken the lock and
  // scanned, and must have started nothing, since the old runsv still holds the service.
  await until(() => existsSync(join(scan, '.runsvdir.lock', 'pid')) && readFileSync(join(scan, '.runsvdir.lock', 'pid'), 'latin1'), s => s === `${second.pid}\n`, { what: 'lock owner' })
  process.kill(second.pid, 'SIGALRM')
  await until(() => existsSync(join(scan, '.forced-rescan')), e => e, { what: '.forced-rescan' })
  t.equal(second.child.exitCode, null, 'the second runs')
  t.same(second.runsvs(), [], 'no runsv started next to the old one')
  t.ok(alive(oldRunsv!) && alive(oldService), 'the old runsv and service still run')

  // Once the old runsv is gone, the new runsvdir takes over.
  process.kill(oldRunsv!, 'SIGTERM')
  const [mine] = await until(() => second.runsvs(), l => l.length === 1, { what: 'new runsvs' })
  await until(() => servicePid(svc), p => p > 0 && p !== oldService, { what: 'new service' })
  t.equal(stat(svc), 'run\n')
  t.ok(alive(mine!), 'supervised by the second runsvdir')
  t.equal(second.stderr(), '', 'and no lock errors on the way')
})

// A runsv left behind is not a child of the new runsvdir: HUP tells it to exit through its
// supervise/control (runit's runsv obeys that as ours does) and waits until supervise/ok is free.
const takeovers = [
  { how: 'SIGTERM', runit: false },
  { how: 'SIGKILL', runit: false },
  { how: 'SIGTERM', runit: true }
] as const
for (const { how, runit } of takeovers) {
  const by = runit ? "runit's runsvdir and runsv" : 'runsvdir'
  t.test(`after a ${how}ed ${by}, HUP stops the runsvs left behind too, services and logs included, exit 111`, runit ? needRunit() : {}, async t => {
    const base = t.testdir()
    const scan = join(base, 'service')
    mkdirSync(scan)
    const svc = makeService(scan, 'svc')
    const log = makeService(svc, 'log', 'exec cat')
    const first = startRunsvdir(t, [scan], runit ? { services: [svc], exe: runitBin('runsvdir'), runitDir: RUNIT_DIR } : { services: [svc] })
    await until(() => stat(svc) + stat(log), s => s === 'run\nrun\n', { what: 'stats' })
    const left = [...first.runsvs(), servicePid(svc), servicePid(log)]
    t.equal(left.length, 3, 'one runsv, its service and its log')
    process.kill(first.pid, how)
    await exited(first)

    const second = startRunsvdir(t, [scan], { services: [svc] })
    await until(() => existsSync(join(scan, '.runsvdir.lock', 'pid')) && readFileSync(join(scan, '.runsvdir.lock', 'pid'), 'latin1'), s => s === `${second.pid}\n`, { what: 'lock owner' })
    process.kill(second.pid, 'SIGALRM')
    await until(() => existsSync(join(scan, '.forced-rescan')), e => e, { what: '.forced-rescan' })
    t.same(second.runsvs(), [], 'the second waits for the old runsv')
    t.same(left.filter(alive), left, 'which still runs its services')

    process.kill(second.pid, 'SIGHUP')
    const [code, signal] = await exited(second)
    t.same([code, signal], [111, null], 'exit 111')
    t.same(left.filter(alive), [], 'no runsv, service or log left')
    t.equal(stat(svc), 'down\n', 'the old runsv published the stop')
    t.equal(second.stderr(), '')
  })
}

t.test('SIGTERM releases the lock', async t => {
  const { scan, first } = await running(t)
  process.kill(first.pid, 'SIGTERM')
  const [code] = await exited(first)
  t.equal(code, 0)
  t.notOk(existsSync(join(scan, '.runsvdir.lock')), 'lock removed')
})
