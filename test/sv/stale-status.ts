// sv judges a command only by a status record runsv published after the command was written
// (sv(8), DIFFERENCES FROM RUNIT). Here the test itself plays runsv through the real FIFOs and files, so it decides
// exactly when (and whether) a record is published.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { svExe, mask, testdir, fakeRunsv, type FakeRunsv } from '../helpers/sv.js'
import type { SvStatus } from '../../build/protocol/status.js'
import { taiNow } from '../../build/protocol/tai64.js'

const fake = (t: Test, first: Partial<SvStatus>): FakeRunsv => fakeRunsv(t, join(testdir(t), 'svc'), first)

/** Starts our sv with cwd = the service's parent; resolves with its exit code and output. */
function startSv (dir: string, args: string[]): { done: Promise<[number | null, string]>, running: () => boolean } {
  const child = spawn(svExe('ours'), args, { cwd: join(dir, '..'), env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  let exited = false
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const done = new Promise<[number | null, string]>(resolve => {
    child.once('close', code => { exited = true; resolve([code, mask(out)]) })
  })
  return { done, running: () => !exited }
}

t.test('a record from before the command is not its result', async t => {
  // What runsv shows during its one-second restart pause: down, still wanting up.
  const f = fake(t, { state: 'down', want: 'up' })
  const sv = startSv(f.paths.dir, ['-w', '1', 'down', './svc'])
  t.same(await sv.done, [1, 'timeout: down: ./svc: Ns, normally up, want up\n'])
  t.equal(f.letters(), 'd', 'the letter was sent')
})

t.test('the record published after the command decides', async t => {
  const f = fake(t, { state: 'down', want: 'up' })
  const sv = startSv(f.paths.dir, ['-w', '10', 'down', './svc'])
  await until(() => f.letters(), l => l === 'd', { timeout: 15000, what: 'letters' })
  f.publish({ state: 'down', want: 'down' })
  t.same(await sv.done, [0, 'ok: down: ./svc: Ns, normally up\n'])
})

t.test('a republished record with the same bytes counts: runsv rewrites on every d', async t => {
  // Want down but no TERM sent (after "once"): sv sends d anyway, and runsv rewrites the same record.
  const f = fake(t, { state: 'down', want: 'down' })
  const sv = startSv(f.paths.dir, ['-w', '10', 'down', './svc'])
  await until(() => f.letters(), l => l === 'd', { timeout: 15000, what: 'letters' })
  f.publish({ state: 'down', want: 'down' })
  t.same(await sv.done, [0, 'ok: down: ./svc: Ns, normally up\n'])
})

t.test('a record published before runsv took the letter (a reap) is not enough', async t => {
  const f = fake(t, { state: 'run', pid: 4242, want: 'up' })
  const sv = startSv(f.paths.dir, ['-w', '10', 'down', './svc'])
  await until(() => f.letters(), l => l === 'd', { timeout: 15000, what: 'letters' })
  // The service died on its own: runsv publishes down, want up, before reading the d.
  f.publish({ state: 'down', want: 'up' })
  // Time is the behaviour here: give sv more than two of its 420 ms rounds to (wrongly) accept it.
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.ok(sv.running(), 'sv still waits')
  f.publish({ state: 'down', want: 'down' })
  t.same(await sv.done, [0, 'ok: down: ./svc: Ns, normally up\n'])
})

t.test('term: a process started before sv, in the same second, is not the new one', async t => {
  // t makes runsv publish nothing by itself; the start time must be after sv's, to the millisecond.
  const f = fake(t, { state: 'run', pid: 4242, want: 'up', when: taiNow() })
  const sv = startSv(f.paths.dir, ['-w', '0', 'term', './svc'])
  t.same(await sv.done, [1, 'timeout: run: ./svc: (pid PID) Ns\n'])
  t.equal(f.letters(), 't')
})

t.test('term: a process started after the command is', async t => {
  const f = fake(t, { state: 'run', pid: 4242, want: 'up', when: taiNow() })
  const sv = startSv(f.paths.dir, ['-w', '10', 'term', './svc'])
  await until(() => f.letters(), l => l === 't', { timeout: 15000, what: 'letters' })
  f.publish({ state: 'run', pid: 4343, want: 'up', when: taiNow() })
  t.same(await sv.done, [0, 'ok: run: ./svc: (pid PID) Ns\n'])
})

t.test('nothing sent (already wanted): the current record is judged at once', async t => {
  const f = fake(t, { state: 'run', pid: 4242, want: 'up' })
  const sv = startSv(f.paths.dir, ['-w', '10', 'up', './svc'])
  t.same(await sv.done, [0, 'ok: run: ./svc: (pid PID) Ns\n'])
  t.equal(f.letters(), '', 'u was not sent')
})
