import t from 'tap'
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync, existsSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { alive } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startRunsvdir, makeService, servicePid, cmdline } from './tree.js'
import { cleanEnv } from '../helpers/clean-env.js'

t.test('a symlink added is supervised at once; removed, its runsv and service stop', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  // Running first: by then the loop has scanned and watches the directory.
  const warm = makeService(scan, 'warm')
  const hello = makeService(join(base, 'sv'), 'hello')
  const r = startRunsvdir(t, [scan], { services: [warm, hello] })
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm stat' })

  const t0 = performance.now()
  symlinkSync(hello, join(scan, 'hello'))
  await until(() => stat(hello), s => s === 'run\n', { what: 'hello stat', interval: 2 })
  const pickup = performance.now() - t0
  t.comment(`pickup: symlink to supervise/stat "run" in ${pickup.toFixed(0)} ms`)

  const svc = servicePid(hello)
  const runsv = r.runsvs().find(p => cmdline(p).includes('runsv\0hello') || cmdline(p).endsWith(' hello'))
  t.ok(svc > 0 && alive(svc), 'the service runs')
  t.ok(runsv !== undefined && alive(runsv), 'runsv hello is a child of runsvdir')

  const t1 = performance.now()
  unlinkSync(join(scan, 'hello'))
  await until(() => alive(runsv!) || alive(svc), a => !a, { what: 'runsv or service alive' })
  t.comment(`removal: unlink to runsv and service gone in ${(performance.now() - t1).toFixed(0)} ms`)
  t.ok(alive(servicePid(warm)), 'the other service is untouched')
  t.equal(r.stderr(), '', 'no complaint from runsvdir or runsv')
})

t.test('after removal the target dir records the stop', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const hello = makeService(join(base, 'sv'), 'hello')
  symlinkSync(hello, join(scan, 'hello'))
  startRunsvdir(t, [scan], { services: [hello] })
  await until(() => stat(hello), s => s === 'run\n', { what: 'stat' })
  unlinkSync(join(scan, 'hello'))
  await until(() => stat(hello), s => s.startsWith('down'), { what: 'stat', timeout: 3000 })
})

t.test('dot names, plain files and links to files are ignored; two links to one dir get one runsv', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const real = makeService(scan, 'real')
  const hidden = makeService(scan, '.hidden')
  const shared = makeService(join(base, 'sv'), 'shared')
  symlinkSync(shared, join(scan, 'one'))
  symlinkSync(shared, join(scan, 'two'))
  writeFileSync(join(scan, 'plain'), 'not a service\n')
  symlinkSync(join(scan, 'plain'), join(scan, 'tofile'))
  symlinkSync(join(base, 'nowhere'), join(scan, 'dangling'))
  const r = startRunsvdir(t, [scan], { services: [real, hidden, shared] })

  // One scan starts all of them; once both run, that scan is over.
  await until(() => stat(real) + stat(shared), s => s === 'run\nrun\n', { what: 'stats' })
  await until(() => r.runsvs().length, n => n >= 2, { what: 'runsv count' }).catch((err: Error) => {
    throw new Error(`${err.message}; runsvdir stderr ${JSON.stringify(r.stderr())}, tree seen ${r.seen().map(p => `${p}:${cmdline(p)}`).join(', ')}`)
  })
  t.equal(r.runsvs().length, 2, 'two runsvs: real, and one for both links')
  t.notOk(existsSync(join(hidden, 'supervise')), '.hidden was not started')
  await until(() => r.stderr(), s => s.includes('dangling'), { what: 'stderr' })
  t.match(r.stderr(), `runsvdir ${scan}: warning: unable to stat dangling: file does not exist\n`)
  t.notMatch(r.stderr(), /: (plain|tofile|\.hidden)\b/, 'no word about ignored entries')
})

t.test('a directory created in place (not a link) is picked up too, and a renamed one keeps its runsv', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const warm = makeService(scan, 'warm')
  const r = startRunsvdir(t, [scan], { services: [warm, join(scan, 'late')] })
  await until(() => stat(warm), s => s === 'run\n', { what: 'warm stat' })
  const late = makeService(scan, 'late')
  await until(() => stat(late), s => s === 'run\n', { what: 'late stat' })
  const before = r.runsvs().sort()
  renameSync(warm, join(scan, 'warm2'))
  // SIGALRM forces a scan and stamps .forced-rescan after it: a scan has seen the rename.
  process.kill(r.pid, 'SIGALRM')
  await until(() => existsSync(join(scan, '.forced-rescan')), e => e, { what: '.forced-rescan' })
  t.ok(alive(servicePid(join(scan, 'warm2'))), 'the service keeps running')
  t.same(r.runsvs().sort(), before, 'same runsvs: identity is the directory, not the name')
})

t.test('a service removed and put back while its runsv stops never has two runsvs', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  // Takes about a second to stop after TERM, so the old runsv is still there when it comes back.
  const slow = makeService(join(base, 'sv'), 'slow', "trap 'touch stopping; sleep 1; exit 0' TERM\nwhile :; do sleep 0.1; done")
  symlinkSync(slow, join(scan, 'slow'))
  const r = startRunsvdir(t, [scan], { services: [slow] })
  await until(() => stat(slow), s => s === 'run\n', { what: 'stat' })
  const [old] = r.runsvs()
  unlinkSync(join(scan, 'slow'))
  // The removal was seen: the service got its TERM and is busy stopping.
  await until(() => existsSync(join(slow, 'stopping')), e => e, { what: 'stopping' })
  symlinkSync(slow, join(scan, 'slow'))
  let most = 0
  const [fresh] = await until(() => {
    const l = r.runsvs()
    most = Math.max(most, l.length)
    return l
  }, l => l.length === 1 && l[0] !== old, { what: 'runsvs', interval: 10 })
  t.equal(most, 1, 'never two runsvs at once')
  t.notOk(alive(old!), 'the old one exited first')
  t.ok(alive(fresh!), 'a new one supervises it')
  await until(() => stat(slow), s => s === 'run\n', { what: 'stat' })
  t.notMatch(r.stderr(), 'unable to lock', 'no runsv fought over supervise/lock')
})

t.test('ten links to one dir: its runsv gets the name the directory lists first (ls -U), as runit', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const shared = makeService(join(base, 'sv'), 'shared')
  const names = Array.from({ length: 10 }, (_, i) => `n${i}`)
  for (const n of names) symlinkSync(shared, join(scan, n))
  const first = execFileSync('ls', ['-U', scan], { env: cleanEnv(), encoding: 'latin1' }).split('\n')[0]!
  t.comment(`ls -U lists ${first} first${first === 'n0' ? ' (the sorted order too: this run cannot tell them apart)' : ''}`)
  const r = startRunsvdir(t, [scan], { services: [shared] })
  await until(() => stat(shared), s => s === 'run\n', { what: 'stat' })
  const [runsv] = await until(() => r.runsvs(), l => l.length === 1, { what: 'runsvs' })
  t.equal(cmdline(runsv!).replace(/\0+$/, '').split('\0').at(-1), first, `runsv ${first}`)
})
