// The no-throw probes: nothing there is an answer (ENOENT, and ENOTDIR on Node 20 as on 24).
import t from 'tap'
import { join } from 'node:path'
import { fstatSync, openSync } from 'node:fs'
import { statIfExists, exists, readable, closeQuietly } from '../../build/os/probe.js'

t.test('statIfExists, exists, readable', async t => {
  const dir = t.testdir({ file: 'x', sub: {} })
  t.ok(statIfExists(join(dir, 'file'))?.isFile())
  t.ok(statIfExists(join(dir, 'sub'))?.isDirectory())
  t.equal(statIfExists(join(dir, 'none')), undefined, 'ENOENT')
  t.equal(statIfExists(join(dir, 'file', 'x')), undefined, 'ENOTDIR')
  t.same([exists(join(dir, 'file')), exists(join(dir, 'none'))], [true, false])
  t.same([readable(join(dir, 'file')), readable(join(dir, 'none'))], [true, false])
})

t.test('closeQuietly closes, and says nothing of a descriptor that is not open', async t => {
  const fd = openSync(join(t.testdir({ f: '' }), 'f'), 'r')
  closeQuietly(fd)
  t.throws(() => { fstatSync(fd) }, { code: 'EBADF' }, 'closed')
  t.doesNotThrow(() => { closeQuietly(1_000_000) }, 'EBADF says nothing') // far above any open descriptor
})
