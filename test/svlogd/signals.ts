// TERM and HUP: nothing already written to svlogd's pipe is lost; HUP re-reads config.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, renameSync } from 'node:fs'
import { logDir, startSvlogd, readCurrent, readAll, mode, feed } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'

const numbered = (from: number, count: number): string => {
  let out = ''
  for (let i = from; i < from + count; i++) out += `line ${i}\n`
  return out
}

t.test('lines already in the pipe when TERM comes are written, the partial last one too (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2)', async t => {
  const dir = logDir(t.testdir(), 's0\n')
  const s = startSvlogd(t, ['-v', dir])
  await until(() => s.stderr(), e => e.includes('new:'), { what: 'stderr' })
  // svlogd is stopped while ~50 KB (it fits in the pipe) and TERM arrive, so both are pending
  // when it continues: runit would write at most the line it was reading.
  process.kill(s.pid, 'SIGSTOP')
  const text = numbered(0, 5000) + 'no newline yet'
  await feed(s, text)
  process.kill(s.pid, 'SIGTERM')
  process.kill(s.pid, 'SIGCONT')
  t.same(await s.exit, [0, null])
  t.equal(readCurrent(dir), text + '\n')
  t.match(s.stderr(), 'svlogd: info: sigterm received.\n')
  t.equal(mode(join(dir, 'current')), '744')
})

t.test('TERM while idle exits 0 at once; the stdin writer is still there', async t => {
  const dir = logDir(t.testdir())
  const s = startSvlogd(t, [dir])
  await feed(s, 'a line\n')
  await until(() => readCurrent(dir), c => c === 'a line\n', { what: 'current' })
  process.kill(s.pid, 'SIGTERM')
  t.same(await s.exit, [0, null])
})

t.test('HUP closes and reopens the directories with fresh config', async t => {
  const dir = logDir(t.testdir(), 'pone: \n')
  const s = startSvlogd(t, ['-v', dir])
  await feed(s, 'a\n')
  await until(() => readCurrent(dir), c => c === 'one: a\n', { what: 'current' })
  writeFileSync(join(dir, 'config'), 'ptwo: \n')
  process.kill(s.pid, 'SIGHUP')
  await until(() => s.stderr(), e => e.includes('sighangup received.') && e.split(`read: ${dir}/config`).length === 3, { what: 'stderr' })
  await feed(s, 'b\n')
  await until(() => readCurrent(dir), c => c === 'one: a\ntwo: b\n', { what: 'current' })
  t.match(s.stderr(), `svlogd: info: close: ${dir}\nsvlogd: info: read: ${dir}/config\nsvlogd: info: append: ${dir}/current\n`)
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
})

t.test('HUP with no usable directory left is fatal (exit 111), after writing what it had', async t => {
  const base = t.testdir()
  const dir = logDir(base)
  const s = startSvlogd(t, [dir])
  await feed(s, 'kept\n')
  await until(() => readCurrent(dir), c => c === 'kept\n', { what: 'current' })
  renameSync(dir, join(base, 'moved'))
  process.kill(s.pid, 'SIGHUP')
  t.same(await s.exit, [111, null])
  t.match(s.stderr(), `svlogd: warning: unable to open log directory: ${dir}: file does not exist\nsvlogd: fatal: no functional log directories.\n`)
  t.equal(readAll(join(base, 'moved')), 'kept\n')
})
