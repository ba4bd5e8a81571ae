// lockThenMakeFifos: requests made in one turn of the event loop share one sh(1) script; each
// still gets its own answer, and only the locked ones get their FIFOs.
import t from 'tap'
import { closeSync, lstatSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { openLockFile, lockThenMakeFifos, isLocked } from '../../build/os/lock.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'

/** Holds an flock on path in another process until teardown (reaped by pid). */
type Tap = { teardown: (fn: () => unknown) => void }

async function holdElsewhere (t: Tap, path: string, ms = 100_000): Promise<number> {
  // One process, exec'd into sleep with the locked descriptor: killing its pid ends the lock.
  const holder = spawn('/bin/sh', ['-c', 'exec 9>>"$1"; flock -x 9; exec sleep "$2"', 'sh', path, String(ms / 1000)], { env: cleanEnv(), stdio: 'ignore' })
  const gone = new Promise(resolve => holder.once('exit', resolve))
  t.teardown(async () => { holder.kill('SIGKILL'); await gone })
  await until(() => isLocked(path), l => l, { what: `lock on ${path}` })
  return holder.pid!
}

const isFifo = (p: string): boolean => existsSync(p) && lstatSync(p).isFIFO()

t.test('one batch: the free locks are taken, the held one is refused, FIFOs only where locked', async t => {
  const dir = t.testdir({})
  const paths = ['a', 'b', "c'd"].map(n => join(dir, n))
  await holdElsewhere(t, paths[1]!)
  const fds = paths.map(p => openLockFile(p))
  t.teardown(() => { for (const fd of fds) closeSync(fd) })
  const results = await Promise.all(paths.map((p, i) => lockThenMakeFifos(fds[i]!, null, [`${p}.fifo`, `${p} 2.fifo`])))
  t.same(results, [true, false, true])
  t.same(paths.map(p => [isFifo(`${p}.fifo`), isFifo(`${p} 2.fifo`)]), [[true, true], [false, false], [true, true]],
    'FIFOs made for the locked, names with quotes and spaces included')
  t.ok(isLocked(paths[0]!) && isLocked(paths[2]!), 'the locks stay held after the script ended')
})

t.test('a second lock held elsewhere is waited for, outside the batch', async t => {
  const dir = t.testdir({})
  const [main, log, other] = ['main', 'log', 'other'].map(n => join(dir, n)) as [string, string, string]
  await holdElsewhere(t, log, 1500)
  const fds = [main, log, other].map(p => openLockFile(p))
  t.teardown(() => { for (const fd of fds) closeSync(fd) })
  let waited = false
  const a = lockThenMakeFifos(fds[0]!, fds[1]!, [`${main}.fifo`]).then(r => { waited = true; return r })
  const b = lockThenMakeFifos(fds[2]!, null, [`${other}.fifo`])
  t.equal(await b, true, 'the other request is answered without waiting for the held lock')
  t.equal(waited, false, 'the waiting one is still waiting then')
  t.equal(await a, true, 'locked once the holder let go')
  t.ok(isFifo(`${main}.fifo`), 'its FIFO is made after the wait')
})
