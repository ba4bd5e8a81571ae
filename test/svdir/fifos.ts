// supervise/control and supervise/ok between a supervisor and its clients (lib/svdir/control-fifo.ts,
// lib/svdir/ok-fifo.ts), with real FIFOs and this process on both sides.
import t from 'tap'
import { closeSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { servicePaths } from '../../build/svdir/layout.js'
import { openControl, sendControl } from '../../build/svdir/control-fifo.js'
import { holdOk, isSupervised } from '../../build/svdir/ok-fifo.js'
import { makeFifos } from '../../build/os/fifo.js'
import { until } from '../helpers/until.js'

function fifos (t: Parameters<Parameters<typeof t.test>[1]>[0]) {
  const dir = t.testdir()
  mkdirSync(join(dir, 'supervise'))
  const p = servicePaths(dir)
  makeFifos([p.control, p.ok])
  return p
}

t.test('letters written by a client reach the reader one by one, in order', async t => {
  const p = fifos(t)
  t.equal(sendControl(p, 'd'), 'not-running', 'nobody reads: not running (ENXIO), nothing blocks')
  let got = ''
  const reader = openControl(p, c => { got += c })
  t.teardown(() => { reader.close() })
  t.equal(sendControl(p, 'tc'), 'sent')
  t.equal(sendControl(p, 'u'), 'sent')
  await until(() => got, s => s === 'tcu', { what: 'letters read' })
})

t.test('no supervise/control: the error is thrown (sv says why)', async t => {
  const p = servicePaths(t.testdir())
  t.throws(() => sendControl(p, 'u'), { code: 'ENOENT' })
})

t.test('supervise/ok says whether a supervisor holds it', async t => {
  const p = fifos(t)
  t.equal(isSupervised(p), false, 'no reader')
  const fd = holdOk(p)
  t.equal(isSupervised(p), true, 'held')
  closeSync(fd)
  t.equal(isSupervised(p), false, 'released')
  t.throws(() => isSupervised(servicePaths(t.testdir())), { code: 'ENOENT' }, 'no supervise/ok: an error, not an answer')
})
