// -l / -L and setlock: a flock(2) lock on a descriptor the program holds for its lifetime, seen by
// other processes' flock attempts (flock(1) and runit's own chpst); waits seen in /proc/locks.
import t from 'tap'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { isLocked } from '../../build/os/lock.js'
import { alive, startBin } from '../helpers/bin.js'
import { asNobody, family, isRoot, nodeHasExecve, persona, programPid, runChpst, startChpst } from '../helpers/chpst.js'
import { publicDir } from '../helpers/public-dir.js'
import { needRunit, runitBin } from '../helpers/runit.js'
import { until } from '../helpers/until.js'
import { shq } from '../helpers/svdir.js'

/** Pids waiting for a flock(2) lock: /proc/locks marks blocked requests with "->". */
function waitingForLock (): number[] {
  return [...readFileSync('/proc/locks', 'utf8').matchAll(/^\d+: -> FLOCK\s+\S+\s+\S+\s+(\d+)/gm)].map(m => Number(m[1]))
}

/** Resolves with the pid, in chpst's family, that blocks in flock(2). */
async function blockedInFlock (pid: number): Promise<number> {
  return await until(() => waitingForLock().find(p => family(pid).includes(p)) ?? 0, p => p > 0, { what: 'a process waiting for the lock' })
}

/** Another process holding an exclusive flock on path (flock(1) -F execs, so one pid). */
async function holder (t: Parameters<typeof startBin>[0], path: string): Promise<ReturnType<typeof startBin>> {
  const h = startBin(t, 'flock', ['-F', '-x', path, 'sleep', '1000'], { exe: 'flock' })
  await until(() => isLocked(path), l => l, { what: `lock on ${path}` })
  return h
}

t.test('-l: the program holds the lock for its lifetime', async t => {
  const dir = t.testdir()
  const lk = join(dir, 'lk')
  const c = startChpst(t, ['-l', lk, 'sleep', '1000'])
  const pid = await programPid(c.pid, 'sleep')
  t.ok(isLocked(lk), 'another process cannot take it while the program runs')
  t.equal(statSync(lk).mode & 0o777, 0o600, 'created 0600 as runit does')
  if (nodeHasExecve) t.equal(pid, c.pid, 'execve: the program is chpst\'s pid')
  c.child.kill('SIGTERM')
  await c.exit
  await until(() => isLocked(lk), l => !l, { what: 'lock after the program ended' })
  t.pass('released when the program ends')
})

t.test('-L fails at once while another process holds the lock', async t => {
  const lk = join(t.testdir(), 'lk')
  await holder(t, lk)
  const r = await runChpst(['-L', lk, 'echo', 'ran'])
  t.equal(r.code, 111)
  t.equal(r.stdout, '')
  t.equal(r.stderr, `chpst: fatal: unable to lock: ${lk}: temporary failure\n`)
})

t.test('-l waits for the holder, then runs', async t => {
  const dir = t.testdir()
  const lk = join(dir, 'lk')
  const out = join(dir, 'out')
  const h = await holder(t, lk)
  const c = startChpst(t, ['-l', lk, 'sh', '-c', `echo ran > ${shq(out)}`])
  // chpst (or its child) is blocked in flock(1) waiting for the lock
  await blockedInFlock(c.pid)
  t.notOk(existsSync(out), 'not run while the lock is held')
  h.child.kill('SIGKILL')
  t.same(await c.exit, [0, null])
  t.ok(existsSync(out), 'ran once the holder let go')
})

t.test('a signal ends the wait for the lock like runit\'s (death by that signal), leaving nothing behind', async t => {
  const lk = join(t.testdir(), 'lk')
  await holder(t, lk)
  const c = startChpst(t, ['-l', lk, 'true'])
  const waiter = await blockedInFlock(c.pid)
  c.child.kill('SIGTERM')
  t.same(await c.exit, [null, 'SIGTERM'])
  await until(() => alive(waiter), a => !a, { what: 'the waiting process' })
  t.pass('the waiting process is gone too')
})

t.test('errors opening the lock', async t => {
  const r = await runChpst(['-l', '/nonexistent/lk', 'true'])
  t.equal(r.code, 111)
  t.equal(r.stderr, 'chpst: fatal: unable to open lock: /nonexistent/lk: file does not exist\n')
})

t.test('as nobody: the lock file is opened and owned by the new user', { skip: isRoot ? false : 'needs root' }, async t => {
  // nobody opens the locks: a public directory (the clone's may be closed to others).
  const dir = publicDir(t)
  mkdirSync(join(dir, 'rw'))
  mkdirSync(join(dir, 'ro'))
  chmodSync(join(dir, 'rw'), 0o777)
  const lk = join(dir, 'rw', 'lk')
  const r = await runChpst(['-u', 'nobody', '-l', lk, 'sh', '-c', 'ls -ln /proc/$$/fd/3 >/dev/null && echo held'])
  t.equal(r.stdout, 'held\n')
  t.equal(statSync(lk).uid, 65534)
  const denied = await runChpst(asNobody(t, '-l', join(dir, 'ro', 'lk'), 'true'))
  t.equal(denied.stderr, `chpst: fatal: unable to open lock: ${dir}/ro/lk: access denied\n`)
})

t.test('compatible with runit\'s chpst: each refuses a lock the other holds', needRunit(), async t => {
  const lk = join(t.testdir(), 'lk')
  const ours = startChpst(t, ['-l', lk, 'sleep', '1000'])
  await programPid(ours.pid, 'sleep')
  const theirs = await runChpst(['-L', lk, 'true'], { exe: runitBin('chpst'), native: true })
  t.equal(theirs.code, 111)
  t.equal(theirs.stderr, `chpst: fatal: unable to lock: ${lk}: temporary failure\n`)
  ours.child.kill('SIGTERM')
  await ours.exit
  const lk2 = join(t.testdir(), 'lk2')
  const runit = startChpst(t, ['-l', lk2, 'sleep', '1000'], { exe: runitBin('chpst'), native: true })
  await until(() => isLocked(lk2), l => l)
  const mine = await runChpst(['-L', lk2, 'true'])
  t.equal(mine.code, 111)
  t.equal(mine.stderr, `chpst: fatal: unable to lock: ${lk2}: temporary failure\n`)
  runit.child.kill('SIGTERM')
  await runit.exit
})

t.test('setlock: no wait by default, -n waits, -x exits 0 quietly', async t => {
  const dir = t.testdir()
  const setlock = persona(dir, 'setlock')
  const lk = join(dir, 'lk')
  const out = join(dir, 'out')
  t.equal((await runChpst([lk, 'echo', 'free'], { exe: setlock })).stdout, 'free\n')
  const h = await holder(t, lk)
  const busy = await runChpst([lk, 'true'], { exe: setlock })
  t.equal(busy.code, 111)
  t.equal(busy.stderr, `chpst: fatal: unable to lock: ${lk}: temporary failure\n`)
  t.same(await runChpst(['-x', lk, 'true'], { exe: setlock }), { code: 0, signal: null, stdout: '', stderr: '' }, '-x: lock busy, exit 0')
  t.equal((await runChpst(['-xX', lk, 'true'], { exe: setlock })).code, 111, '-X undoes -x')
  t.same(await runChpst(['-x', join(dir, 'lk2'), join(dir, 'nonexistent')], { exe: setlock }), { code: 0, signal: null, stdout: '', stderr: '' }, '-x: program missing, exit 0')
  t.same(await runChpst(['-x', '/nonexistent/lk', 'true'], { exe: setlock }), { code: 0, signal: null, stdout: '', stderr: '' }, '-x: lock cannot be opened, exit 0')
  const waiting = startChpst(t, ['-n', lk, 'sh', '-c', `echo ran > ${shq(out)}`], { exe: setlock })
  await blockedInFlock(waiting.pid)
  t.notOk(existsSync(out))
  h.child.kill('SIGKILL')
  t.same(await waiting.exit, [0, null], '-n waited for the lock')
  t.ok(existsSync(out))
})
