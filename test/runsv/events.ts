// runsv's events in supervise/event/ (runsv(8), EVENTS): every transition in order, to every
// listener, a dead listener's FIFO removed without blocking anyone; and the pure derivation.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { startBin } from '../helpers/bin.js'
import { service, stat, pidOf } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { subscribe } from '../../build/svdir/event-dir.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { formatEvent, parseEvent, type SvEvent } from '../../build/protocol/events.js'
import { transitions } from '../../build/runsv/events.js'
import { initialState, step, RUNIT_STOP } from '../../build/runsv/state.js'
import { taiNow } from '../../build/protocol/tai64.js'

function listen (t: Parameters<Parameters<typeof t.test>[1]>[0], dir: string): SvEvent[] {
  const got: SvEvent[] = []
  const sub = subscribe(servicePaths(dir), ev => { got.push(ev) })
  t.teardown(() => { sub.close() })
  return got
}

const names = (evs: SvEvent[], who = 'main'): string[] => evs.filter(e => e.who === who).map(e => e.name)

t.test('start, ready, stop, crash and exit: every event in order, to two listeners; a dead one is dropped', async t => {
  const dir = service(t, { run: 'while [ ! -e ./go ]; do sleep 0.05; done; echo >&3; exec sleep 1000', log: 'exec cat >/dev/null' })
  writeFileSync(join(dir, 'notification-fd'), '3\n')
  const a = listen(t, dir)
  const b = listen(t, dir)
  // A listener that died without removing its FIFO: nobody reads it (ENXIO).
  const dead = join(dir, 'supervise', 'event', 'dead')
  spawnSync('mkfifo', [dead])
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => names(a), n => n.includes('started'), { what: 'started' })
  t.notOk(names(a).includes('ready'), 'not ready before its line')
  writeFileSync(join(dir, 'go'), '')
  await until(() => names(a), n => n.includes('ready'), { what: 'ready' })
  t.notOk(existsSync(dead), 'the dead listener\'s FIFO is removed')
  const first = pidOf(dir)
  process.kill(first, 'SIGKILL')
  await until(() => names(a).filter(n => n === 'ready').length, n => n === 2, { what: 'restarted and ready' })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  writeFileSync(join(dir, 'supervise', 'control'), 'x')
  await until(() => names(a), n => n.includes('exit'), { what: 'exit' })
  t.same(names(a), ['starting', 'started', 'ready', 'stopped', 'starting', 'started', 'ready', 'stopping', 'stopped', 'down', 'exit'])
  const stopped = a.filter(e => e.who === 'main' && e.name === 'stopped')
  t.same(stopped.map(e => [e.pid, e.code, e.signal]), [[first, null, 9], [stopped[1]!.pid, null, 15]], 'stopped carries the pid and signal')
  t.same(names(a, 'log'), ['starting', 'started', 'ready', 'stopping', 'stopped', 'down', 'exit'], 'the log service\'s events too')
  await until(() => b.length, n => n === a.length, { what: 'the second listener' })
  t.same(b, a, 'both listeners saw the same lines')
  t.ok(a.every((e, i) => i === 0 || e.micros >= a[i - 1]!.micros), 'times in order')
})

t.test('finished follows ./finish; down after sv down', async t => {
  const dir = service(t, { run: 'exec sleep 1000', finish: 'exit 0' })
  mkdirSync(join(dir, 'supervise', 'event'), { recursive: true })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const a = listen(t, dir)
  writeFileSync(join(dir, 'supervise', 'control'), 'd')
  await until(() => names(a), n => n.includes('down'), { what: 'down' })
  t.same(names(a), ['stopping', 'stopped', 'finished', 'down'])
  t.equal(a[1]!.signal, 15)
})

t.test('the line format round-trips; garbage is not an event', async t => {
  const ev: SvEvent = { name: 'stopped', who: 'log', micros: 1733460000123456, pid: 42, code: 3, signal: null }
  t.equal(formatEvent(ev), 'stopped log 1733460000123456 42 3 -\n')
  t.same(parseEvent(formatEvent(ev).trimEnd()), ev)
  t.equal(parseEvent('hello main 1 2 - -'), null)
  t.equal(parseEvent('stopped main x 2 - -'), null)
})

t.test('transitions() derives the events of a step', async t => {
  const now = taiNow()
  const s0 = initialState(now, false, null)
  const boot = step(s0, { kind: 'boot' })
  t.same(transitions({ kind: 'boot' }, s0, boot.state, boot.effects).map(x => x.name), ['starting'])
  const ev = { kind: 'started', who: 'main', stage: 'run', pid: 7, now } as const
  const up = step(boot.state, ev)
  t.same(transitions(ev, boot.state, up.state, up.effects).map(x => x.name), ['started'])
  const d = { kind: 'control', who: 'main', letter: 'd', handled: false, now, stop: RUNIT_STOP } as const
  const down = step(up.state, d)
  t.same(transitions(d, up.state, down.state, down.effects).map(x => x.name), ['stopping'])
  const ex = { kind: 'exited', who: 'main', code: null, signal: 15, finishExists: false, now } as const
  const gone = step(down.state, ex)
  t.same(transitions(ex, down.state, gone.state, gone.effects), [
    { name: 'stopped', who: 'main', pid: 7, code: null, signal: 15 },
    { name: 'down', who: 'main', pid: 0, code: null, signal: null }
  ])
  const h = { kind: 'control', who: 'main', letter: 'h', handled: false, now, stop: RUNIT_STOP } as const
  const hup = step(up.state, h)
  t.same(transitions(h, up.state, hup.state, hup.effects), [], 'a signal that does not stop is no event')
})
