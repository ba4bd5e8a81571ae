// Optional files of a service directory (lib/svdir/optional-file.ts) and the readiness files built
// on them (lib/svdir/ready-file.ts).
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readOptional, parseDecimal } from '../../build/svdir/optional-file.js'
import { notificationFd, writeReadiness, isReady, MAX_NOTIFICATION_FD } from '../../build/svdir/ready-file.js'
import { servicePaths } from '../../build/svdir/layout.js'

t.test('readOptional: the text, null when there is nothing there, other errors thrown', async t => {
  const dir = t.testdir({ 'timeout-kill': '3000\n', sub: {} })
  t.equal(readOptional(join(dir, 'timeout-kill')), '3000\n')
  t.equal(readOptional(join(dir, 'down-signal')), null)
  t.throws(() => readOptional(join(dir, 'sub')), { code: 'EISDIR' })
  t.equal(readOptional(join(dir, 'timeout-kill', 'x')), null, 'nothing under a file (ENOTDIR): on Node 20 as on 24')
})

t.test('parseDecimal: digits with spaces and newlines around, nothing else', async t => {
  t.equal(parseDecimal('3000\n'), 3000)
  t.equal(parseDecimal('  7 '), 7)
  for (const s of ['', '\n', '-1', '1.5', '3 4', '0x10', '1e3']) t.equal(parseDecimal(s), null, JSON.stringify(s))
})

t.test('notification-fd names a descriptor from 3 up, NaN otherwise, null without the file', async t => {
  const dir = t.testdir()
  const p = servicePaths(dir)
  t.equal(notificationFd(p), null)
  for (const [text, fd] of [['5\n', 5], ['3', 3], [String(MAX_NOTIFICATION_FD), MAX_NOTIFICATION_FD]] as const) {
    writeFileSync(p.notificationFd, text)
    t.equal(notificationFd(p), fd, text)
  }
  for (const text of ['2', String(MAX_NOTIFICATION_FD + 1), 'five']) {
    writeFileSync(p.notificationFd, text)
    t.ok(Number.isNaN(notificationFd(p)), text)
  }
})

t.test('isReady: false only while the run of this pid has said "starting"', async t => {
  const dir = t.testdir()
  mkdirSync(join(dir, 'supervise'))
  const p = servicePaths(dir)
  t.equal(isReady(p, 42), true, 'no notification-fd: no readiness to wait for')
  writeFileSync(p.notificationFd, '5\n')
  t.equal(isReady(p, 42), true, 'no supervise/ready: a runsv that knows no readiness')
  writeReadiness(p, 42, false)
  t.equal(isReady(p, 42), false, 'starting')
  t.equal(isReady(p, 43), true, 'the record is about another run')
  writeReadiness(p, 42, true)
  t.equal(isReady(p, 42), true, 'ready')
})
