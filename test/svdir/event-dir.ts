// svdir/event-dir.ts: runsv's writes never block and never fail for a listener's fault; a
// listener's FIFO appears only once it is open.
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, openSync, writeSync, closeSync, existsSync, readdirSync, constants } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { notifyListeners, subscribe } from '../../build/svdir/event-dir.js'
import type { SvEvent } from '../../build/protocol/events.js'
import { until } from '../helpers/until.js'

const ev: SvEvent = { name: 'started', who: 'main', micros: 1, pid: 2, code: null, signal: null }

t.test('a full FIFO (a listener that stopped reading) loses the line; a dead one is removed; neither blocks', async t => {
  const dir = t.testdir()
  const eventDir = join(dir, 'event')
  mkdirSync(eventDir)
  const full = join(eventDir, 'full')
  const dead = join(eventDir, 'dead')
  const making = join(eventDir, '.making')
  spawnSync('mkfifo', [full, dead, making])
  // Held read-write and filled to the brim: what a listener that never reads ends up as.
  const fd = openSync(full, constants.O_RDWR | constants.O_NONBLOCK)
  t.teardown(() => { closeSync(fd) })
  const chunk = Buffer.alloc(4096, 'x')
  for (;;) {
    try { writeSync(fd, chunk) } catch { break }
  }
  t.equal(notifyListeners({ eventDir }, ev), 0, 'nobody got it')
  t.ok(existsSync(full), 'the full one stays (it may read again)')
  t.notOk(existsSync(dead), 'the dead one is removed')
  t.ok(existsSync(making), 'a dot name is not touched')
  t.equal(notifyListeners({ eventDir: join(dir, 'none') }, ev), 0, 'no event dir: nothing to do')
})

t.test('subscribe: lines in order; close removes the FIFO', async t => {
  const eventDir = join(t.testdir(), 'supervise', 'event')
  const got: SvEvent[] = []
  const sub = subscribe({ eventDir }, e => { got.push(e) })
  t.same(readdirSync(eventDir), [sub.path.split('/').pop()], 'one FIFO, under its final name')
  for (let pid = 1; pid <= 50; pid++) t.equal(notifyListeners({ eventDir }, { ...ev, pid }), 1)
  await until(() => got.length, n => n === 50, { what: 'events' })
  t.same(got.map(e => e.pid), Array.from({ length: 50 }, (_, i) => i + 1))
  sub.close()
  sub.close()
  t.same(readdirSync(eventDir), [], 'removed, once')
})
