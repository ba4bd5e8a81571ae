// The error classes and the errno helpers every layer uses (lib/errors/errors.ts).
import t from 'tap'
import { statSync } from 'node:fs'
import { SysError, UsageError, errnoError, errnoCode } from '../../build/errors/errors.js'

t.test('errnoError makes an Error that reads like a failed system call', async t => {
  const e = errnoError('ENOTDIR', 'not a directory')
  t.type(e, Error)
  t.equal(e.code, 'ENOTDIR')
  t.equal(e.message, 'not a directory')
  t.equal(errnoError('EIO').message, 'EIO', 'the code is the message by default')
})

t.test('errnoCode reads the code of anything, and undefined where there is none', async t => {
  t.equal(errnoCode(errnoError('EAGAIN')), 'EAGAIN')
  let real: unknown
  try { statSync('/nonexistent/x') } catch (err) { real = err }
  t.equal(errnoCode(real), 'ENOENT', "Node's own errors")
  t.equal(errnoCode({ code: 'EPERM' }), 'EPERM', 'a plain object')
  for (const v of [undefined, null, 'ENOENT', 1, new Error('x'), { code: 5 }]) t.equal(errnoCode(v), undefined, String(v))
})

t.test('SysError keeps runit\'s message, its cause and the cause\'s code', async t => {
  const cause = errnoError('EACCES')
  const e = new SysError('unable to open supervise/lock', cause)
  t.equal(e.what, 'unable to open supervise/lock')
  t.equal(e.cause, cause)
  t.equal(e.code, 'EACCES')
  t.equal(new SysError('no functional log directories.', undefined).code, undefined)
})

t.test('UsageError says usage unless told more', async t => {
  t.equal(new UsageError().message, 'usage')
  t.equal(new UsageError('illegal option -- z').message, 'illegal option -- z')
})
