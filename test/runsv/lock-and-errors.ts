// supervise/lock is a real flock shared with runit's runsv; usage and fatal errors as runit's.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, mkdirSync, symlinkSync, statSync, lstatSync } from 'node:fs'
import { startBin, runBin } from '../helpers/bin.js'
import { service, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit } from '../helpers/runit.js'

const LOCKED = (dir: string): string => `runsv ${dir}: fatal: unable to lock supervise/lock: temporary failure\n`

t.test('a second runsv on the same directory exits 111 with runit\'s message', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const r = await runBin('runsv', [dir])
  t.equal(r.code, 111)
  t.equal(r.stderr, LOCKED(dir))
})

t.test('ours and runit\'s runsv exclude each other', needRunit(), async t => {
  const a = service(t, { run: 'exec sleep 1000', name: 'a' })
  startBin(t, 'runsv', [a], { services: [a] })
  await until(() => stat(a), s => s === 'run\n', { what: 'stat' })
  const theirs = await runBin('runsv', [a], { exe: runitBin('runsv') })
  t.equal(theirs.code, 111, 'runit refuses a directory we hold')
  t.equal(theirs.stderr, LOCKED(a))

  const b = service(t, { run: 'exec sleep 1000', name: 'b' })
  startBin(t, 'runsv', [b], { services: [b], exe: runitBin('runsv') })
  await until(() => stat(b), s => s === 'run\n', { what: 'stat' })
  const ours = await runBin('runsv', [b])
  t.equal(ours.code, 111, 'we refuse a directory runit holds')
  t.equal(ours.stderr, LOCKED(b))
})

t.test('usage: exactly one argument, exit 1', async t => {
  for (const args of [[], ['a', 'b']]) {
    const r = await runBin('runsv', args)
    t.equal(r.code, 1)
    t.match(r.stderr, /^usage: .*runsv dir\n\n$/)
  }
})

t.test('fatal errors name the file and exit 111', async t => {
  const base = t.testdir()
  const r = await runBin('runsv', [join(base, 'nope')])
  t.equal(r.code, 111)
  t.equal(r.stderr, `runsv ${join(base, 'nope')}: fatal: unable to change to directory: file does not exist\n`)

  const dir = service(t, { run: 'exec sleep 1000', name: 'ctl' })
  mkdirSync(join(dir, 'supervise'))
  writeFileSync(join(dir, 'supervise', 'control'), '')
  const c = await runBin('runsv', [dir])
  t.equal(c.code, 111)
  t.equal(c.stderr, `runsv ${dir}: fatal: supervise/control exists but is not a fifo\n`)

  const file = service(t, { run: 'exec sleep 1000', name: 'file' })
  writeFileSync(join(file, 'supervise'), '')
  const f = await runBin('runsv', [file])
  t.equal(f.code, 111)
  t.equal(f.stderr, `runsv ${file}: fatal: unable to open supervise/lock: not a directory\n`)
})

t.test('a supervise symlink of 256+ bytes: runit\'s "name too long", naming which one', async t => {
  const long = 'x'.repeat(300)
  const main = service(t, { run: 'exec sleep 1000', name: 'longmain' })
  symlinkSync(long, join(main, 'supervise'))
  const m = await runBin('runsv', [main])
  t.equal(m.code, 111)
  t.equal(m.stderr, `runsv ${main}: fatal: unable to readlink ./supervise: name too long\n`)

  const log = service(t, { run: 'exec sleep 1000', log: 'exec cat', name: 'longlog' })
  symlinkSync(long, join(log, 'log', 'supervise'))
  const l = await runBin('runsv', [log])
  t.equal(l.code, 111)
  t.equal(l.stderr, `runsv ${log}: fatal: unable to readlink ./log/supervise: name too long\n`)
})

t.test('log that is not a directory: runit\'s warning, no log service', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  writeFileSync(join(dir, 'log'), '')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  t.equal(runsv.stderr(), `runsv ${runsv.name}: warning: ./log: not a directory.\n`)
})

t.test('supervise/ files, modes, FIFOs; supervise may be a symlink', async t => {
  const base = t.testdir()
  const dir = service(t, { run: 'exec sleep 1000', log: 'exec cat' })
  symlinkSync(join(base, 'state', 'svc'), join(dir, 'supervise'))
  mkdirSync(join(base, 'state'))
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  t.ok(lstatSync(join(dir, 'supervise')).isSymbolicLink(), 'the symlink stays')
  t.ok(statSync(join(base, 'state', 'svc')).isDirectory(), 'its target was created')
  for (const sup of [join(dir, 'supervise'), join(dir, 'log', 'supervise')]) {
    const mode = (f: string): number => statSync(join(sup, f)).mode & 0o777
    t.ok(statSync(join(sup, 'control')).isFIFO(), 'control is a FIFO')
    t.ok(statSync(join(sup, 'ok')).isFIFO(), 'ok is a FIFO')
    t.equal(mode('control'), 0o600)
    t.equal(mode('ok'), 0o600)
    t.equal(mode('lock'), 0o600)
    for (const f of ['pid', 'stat', 'status']) t.equal(mode(f), 0o644 & ~process.umask(), f)
    t.equal(statSync(join(sup, 'status')).size, 20)
  }
})
