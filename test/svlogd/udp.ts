// u and U config lines: selected lines go to a UDP port on the loopback, as datagrams.
import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { logDir, runSvlogd, readCurrent } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'

/** A UDP listener on 127.0.0.1 collecting datagrams; closed at teardown. */
async function listener (t: Test): Promise<{ port: number, got: string[] }> {
  const sock = createSocket('udp4')
  const got: string[] = []
  sock.on('message', (m) => { got.push(m.toString('latin1')) })
  await new Promise<void>(resolve => { sock.bind(0, '127.0.0.1', resolve) })
  t.teardown(() => { sock.close() })
  return { port: sock.address().port, got }
}

t.test('u: selected lines are sent, stamped, prefixed, cut at -l with ...; the file still gets them', async t => {
  const { port, got } = await listener(t)
  const dir = logDir(t.testdir(), `u127.0.0.1:${port}\np[web] \n-*debug*\n`)
  const r = await runSvlogd(['-tt', '-l', '10', dir], 'hello\ndebug: noise\na somewhat long line\n')
  t.equal(r.code, 0)
  await until(() => got.length, n => n >= 2, { what: 'datagrams' })
  const stamp = /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d{5} /
  t.match(got[0], stamp)
  t.same(got.map(g => g.slice(26)), ['[web] hello\n', '[web] a somewhat...\n'])
  t.same(readCurrent(dir).split('\n').map(l => l.slice(26)), ['[web] hello', '[web] a somewhat long line', ''])
})

t.test('U: lines go by UDP only; current stays empty', async t => {
  const { port, got } = await listener(t)
  const dir = logDir(t.testdir(), `U127.0.0.1:${port}\n`)
  const r = await runSvlogd([dir], 'one\ntwo\n')
  t.equal(r.code, 0)
  await until(() => got.length, n => n >= 2, { what: 'datagrams' })
  t.same(got, ['one\n', 'two\n'])
  t.equal(readCurrent(dir), '')
})

t.test('a bad u line is warned about in runit\'s words and ignored', async t => {
  const dir = logDir(t.testdir(), 'uexample.org\nU1.2.3.4:0\n')
  const r = await runSvlogd([dir], 'kept\n')
  t.equal(r.code, 0)
  t.equal(r.stderr, 'svlogd: warning: unable to scan ip address: example.org\nsvlogd: warning: unable to scan port number: 0\n')
  t.equal(readCurrent(dir), 'kept\n', 'a bad U line does not swallow the lines')
})
