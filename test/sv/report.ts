// sv's status line and message grammar, byte for byte (runit's sv.c output, sv(8), DESCRIPTION).
import t from 'tap'
import { statusLine, messageLine, fileWarning } from '../../build/sv/report.js'
import type { SvStatus } from '../../build/protocol/status.js'
import { errnoError } from '../../build/errors/errors.js'

const NOW = 1_700_000_100
const rec = (over: Partial<SvStatus>): SvStatus => ({
  when: { sec: NOW - 5, nano: 500 }, pid: 0, paused: false, want: 'up', gotTerm: false, state: 'down', ...over
})

t.test('status lines in every state', async t => {
  t.equal(statusLine('./svc', rec({ pid: 9342, state: 'run' }), true, NOW), 'run: ./svc: (pid 9342) 5s')
  t.equal(statusLine('./svc', rec({ pid: 9342, state: 'run' }), false, NOW), 'run: ./svc: (pid 9342) 5s, normally down')
  t.equal(statusLine('./svc', rec({ pid: 9342, state: 'run', paused: true }), true, NOW), 'run: ./svc: (pid 9342) 5s, paused')
  t.equal(statusLine('./svc', rec({}), true, NOW), 'down: ./svc: 5s, normally up, want up')
  t.equal(statusLine('./svc', rec({ want: 'down' }), true, NOW), 'down: ./svc: 5s, normally up')
  t.equal(statusLine('./svc', rec({ want: 'down' }), false, NOW), 'down: ./svc: 5s')
  t.equal(statusLine('./svc', rec({ want: 'up' }), false, NOW), 'down: ./svc: 5s, want up')
  t.equal(statusLine('./svc', rec({ pid: 9781, state: 'run', want: 'down', gotTerm: true }), true, NOW),
    'run: ./svc: (pid 9781) 5s, want down, got TERM')
  t.equal(statusLine('./svc', rec({ pid: 9723, state: 'finish', want: 'down' }), true, NOW),
    'finish: ./svc: (pid 9723) 5s, want down')
  t.equal(statusLine('svc', rec({ pid: 1, state: 'run', paused: true, want: 'down', gotTerm: true }), false, NOW),
    'run: svc: (pid 1) 5s, normally down, paused, want down, got TERM')
  t.equal(statusLine('log', rec({ pid: 9691, state: 'run' }), true, NOW), 'run: log: (pid 9691) 5s')
})

t.test('ages are whole-second differences, never negative', async t => {
  t.equal(statusLine('s', rec({ when: { sec: NOW + 30, nano: 0 } }), true, NOW), 'down: s: 0s, normally up, want up')
  t.equal(statusLine('s', rec({ when: { sec: NOW, nano: 999_999_999 } }), true, NOW), 'down: s: 0s, normally up, want up')
  t.equal(statusLine('s', rec({ when: { sec: NOW - 3600, nano: 0 } }), true, NOW), 'down: s: 3600s, normally up, want up')
})

t.test('an unknown state byte prints no state word but the pid', async t => {
  t.equal(statusLine('s', rec({ state: null, pid: 7 }), true, NOW), 's: (pid 7) 5s')
})

t.test('message lines', async t => {
  t.equal(messageLine('ok: ', './svc', 'runsv not running'), 'ok: ./svc: runsv not running\n')
  t.equal(messageLine('fail: ', 'svc', 'unable to change to service directory', errnoError('ENOENT')),
    'fail: svc: unable to change to service directory: file does not exist\n')
  t.equal(messageLine('warning: ', './s/log', 'unable to open supervise/ok', errnoError('EACCES')),
    'warning: ./s/log: unable to open supervise/ok: access denied\n')
  t.equal(fileWarning('unable to stat', 'svc', 'down', errnoError('ELOOP')), 'warning: unable to stat svc/down: symbolic link loop\n')
})

t.test('sv runs lines', async t => {
  const { deathLine } = await import('../../build/sv/report.js')
  const at = (ms: number) => ({ sec: Math.floor(ms / 1000), nano: (ms % 1000) * 1e6 })
  t.equal(deathLine('web', { started: at(1000), ended: at(1250), code: 3, signal: 0, next: 'normal-exit' }, 13_999),
    'web: 12s ago, ran 0.250s, exit 3, not restarted: normal exit')
  t.equal(deathLine('web', { started: at(1000), ended: at(61000), code: -1, signal: 15, next: 'restart' }, 61_000),
    'web: 0s ago, ran 60.000s, signal TERM, restarted')
})
