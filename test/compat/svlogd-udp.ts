// UDP datagrams from runit's svlogd and ours carry the same bytes (stamps normalised).
import t from 'tap'
import { join } from 'node:path'
import { createSocket } from 'node:dgram'
import { logDir, runSvlogd, readCurrent, unstamp } from '../helpers/svlogd.js'
import { runitBin, needRunit } from '../helpers/runit.js'
import { until } from '../helpers/until.js'

const RUNIT = runitBin('svlogd')
const INPUT = 'hello\ndebug: noise\na somewhat long line that is cut\n\nlast\n'

t.test('same datagrams, same current, for u and U', needRunit(), async t => {
  const sock = createSocket('udp4')
  let got: string[] = []
  sock.on('message', (m) => { got.push(m.toString('latin1')) })
  await new Promise<void>(resolve => { sock.bind(0, '127.0.0.1', resolve) })
  t.teardown(() => { sock.close() })
  const port = sock.address().port
  for (const kind of ['u', 'U']) {
    const results: Array<{ datagrams: string[], current: string }> = []
    for (const exe of [RUNIT, undefined]) {
      got = []
      const dir = logDir(join(t.testdir(), `${kind}-${exe === undefined ? 'ours' : 'runit'}`), `${kind}127.0.0.1:${port}\np> \n-debug*\n`)
      const r = await runSvlogd(['-tt', '-l', '20', dir], INPUT, exe === undefined ? {} : { exe })
      t.equal(r.code, 0)
      await until(() => got.length, n => n >= 4, { what: 'datagrams' })
      results.push({ datagrams: got.map(unstamp), current: unstamp(readCurrent(dir)) })
    }
    t.same(results[1], results[0], `${kind}: ours = runit's`)
  }
})

t.test('a failed send is noted in current with runit\'s words (here after the line, not before)', needRunit(), async t => {
  // A broadcast address without SO_BROADCAST: sendto fails with EACCES.
  const sorted: string[][] = []
  for (const exe of [RUNIT, undefined]) {
    const dir = logDir(join(t.testdir(), exe === undefined ? 'ours' : 'runit'), 'u255.255.255.255:9\n')
    const r = await runSvlogd([dir], 'a\nb\n', exe === undefined ? {} : { exe })
    t.equal(r.code, 0)
    sorted.push(readCurrent(dir).split('\n').sort())
  }
  t.same(sorted[1], sorted[0])
  t.ok(sorted[0]!.includes('warning: failure sending through udp: a'))
})
