import t from 'tap'
import { mkdirSync, writeFileSync, existsSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { lockDirectory } from '../../build/os/dirlock.js'
import { sleep } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'

const NAME = '.lock'

t.test('taken, held, refused to a second taker in this process, released', async t => {
  const dir = t.testdir()
  const r = lockDirectory(dir, { name: NAME, onCompromised: () => { t.fail('compromised') } })
  t.ok(r.ok)
  if (!r.ok) return
  t.equal(readFileSync(join(dir, NAME, 'pid'), 'latin1'), `${process.pid}\n`, 'the holder\'s pid inside')
  t.same(lockDirectory(dir, { name: NAME, onCompromised: () => {} }), { ok: false, holder: process.pid })
  r.lock.release()
  r.lock.release()
  t.notOk(existsSync(join(dir, NAME)), 'gone after release (twice is fine)')
})

t.test('kept fresh: still ours after several refresh periods (time is the behaviour)', async t => {
  const dir = t.testdir()
  let lost = false
  const r = lockDirectory(dir, { name: NAME, staleMs: 2000, onCompromised: () => { lost = true } })
  t.ok(r.ok)
  await sleep(3500)
  t.equal(lost, false, 'never compromised (its own pid file does not upset the mtime check)')
  t.ok(existsSync(join(dir, NAME, 'pid')))
  if (r.ok) r.lock.release()
})

t.test('a live holder in another process: refused with its pid', async t => {
  const dir = t.testdir()
  const child = spawn('sleep', ['1000'], { env: cleanEnv(), stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  mkdirSync(join(dir, NAME))
  writeFileSync(join(dir, NAME, 'pid'), `${child.pid}\n`)
  t.same(lockDirectory(dir, { name: NAME, onCompromised: () => {} }), { ok: false, holder: child.pid })
})

t.test('a dead holder: stale at once, taken over', async t => {
  const dir = t.testdir()
  const child = spawn('true', [], { env: cleanEnv(), stdio: 'ignore' })
  await once(child, 'exit')
  mkdirSync(join(dir, NAME))
  writeFileSync(join(dir, NAME, 'pid'), `${child.pid}\n`)
  const r = lockDirectory(dir, { name: NAME, onCompromised: () => {} })
  t.ok(r.ok, 'taken')
  t.equal(readFileSync(join(dir, NAME, 'pid'), 'latin1'), `${process.pid}\n`)
  if (r.ok) r.lock.release()
})

t.test('our own pid left by an earlier process (a container\'s pid 1): stale', async t => {
  const dir = t.testdir()
  mkdirSync(join(dir, NAME))
  writeFileSync(join(dir, NAME, 'pid'), `${process.pid}\n`)
  const r = lockDirectory(dir, { name: NAME, onCompromised: () => {} })
  t.ok(r.ok)
  if (r.ok) r.lock.release()
})

t.test('no pid file: held until proper-lockfile\'s mtime rule calls it stale', async t => {
  const dir = t.testdir()
  mkdirSync(join(dir, NAME))
  t.same(lockDirectory(dir, { name: NAME, onCompromised: () => {} }), { ok: false, holder: undefined })
  const old = new Date(Date.now() - 60_000)
  utimesSync(join(dir, NAME), old, old)
  const r = lockDirectory(dir, { name: NAME, onCompromised: () => {} })
  t.ok(r.ok, 'taken once stale')
  if (r.ok) r.lock.release()
})

t.test('a missing directory is an error for the caller', async t => {
  t.throws(() => lockDirectory(join(t.testdir(), 'none'), { name: NAME, onCompromised: () => {} }), { code: 'ENOENT' })
})
