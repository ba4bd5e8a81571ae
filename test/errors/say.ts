// runit's diagnostic grammar (lib/errors/say.ts) and its reason wording (lib/errors/reason.ts).
import t from 'tap'
import { makeSay } from '../../build/errors/say.js'
import { reason } from '../../build/errors/reason.js'
import { errnoError } from '../../build/errors/errors.js'

function said (who: string): { say: ReturnType<typeof makeSay>, out: () => string } {
  let text = ''
  return { say: makeSay(who, s => { text += s }), out: () => text }
}

t.test('"<who>: <level>: <msg>[: <reason>]" lines', async t => {
  const { say, out } = said('runsv /srv/x')
  say.fatal('unable to open supervise/lock', errnoError('EACCES'))
  say.warn('unable to stat() ./log: ', errnoError('ENOENT'))
  say.info('processing: main/@x.u')
  say.warn('./log: not a directory.')
  t.equal(out(),
    'runsv /srv/x: fatal: unable to open supervise/lock: access denied\n' +
    'runsv /srv/x: warning: unable to stat() ./log: : file does not exist\n' +
    'runsv /srv/x: info: processing: main/@x.u\n' +
    'runsv /srv/x: warning: ./log: not a directory.\n')
})

t.test('line() formats without writing, for every level', async t => {
  const { say, out } = said('svlogd')
  t.equal(say.line('pausing', 'unable to write current: main', errnoError('ENOSPC')), 'svlogd: pausing: unable to write current: main: out of disk space\n')
  t.equal(out(), '')
})

t.test('an empty who gives sv\'s lines, without a name', async t => {
  const { say, out } = said('')
  say.fatal('unable to change to service directory', errnoError('ENOENT'))
  t.equal(out(), 'fatal: unable to change to service directory: file does not exist\n')
})

t.test('reasons are runit\'s error_str wording, "unknown error" otherwise', async t => {
  t.equal(reason(errnoError('EPERM')), 'permission denied')
  t.equal(reason(errnoError('ENXIO')), 'device not configured')
  t.equal(reason(errnoError('EWHATEVER')), 'unknown error')
  t.equal(reason(new Error('no code')), 'unknown error')
  t.equal(reason('ENOENT'), 'unknown error', 'a string is not an error')
})
