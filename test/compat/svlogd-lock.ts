// The log directory's lock is a real flock: runit's svlogd and ours exclude each other.
import t from 'tap'
import { logDir, startSvlogd, runSvlogd, readCurrent, feed } from '../helpers/svlogd.js'
import { runitBin, needRunit } from '../helpers/runit.js'
import { until } from '../helpers/until.js'

const RUNIT = runitBin('svlogd')

for (const [holder, other] of [['runit', 'ours'], ['ours', 'runit']] as const) {
  t.test(`${other} refuses a directory ${holder === 'runit' ? 'runit\'s' : 'our'} svlogd holds`, needRunit(), async t => {
    const dir = logDir(t.testdir())
    const held = startSvlogd(t, [dir], holder === 'runit' ? { exe: RUNIT } : {})
    await feed(held, 'held\n')
    await until(() => readCurrent(dir), c => c === 'held\n', { what: 'current' })
    const r = await runSvlogd([dir], 'intruder\n', other === 'runit' ? { exe: RUNIT } : {})
    t.equal(r.code, 111)
    t.equal(r.stderr, `svlogd: warning: unable to lock directory: ${dir}: temporary failure\nsvlogd: fatal: no functional log directories.\n`)
    held.child.stdin!.end()
    t.same(await held.exit, [0, null])
    // Once released, the other one gets it.
    const after = await runSvlogd([dir], 'next\n', other === 'runit' ? { exe: RUNIT } : {})
    t.equal(after.code, 0)
    t.equal(readCurrent(dir), 'held\nnext\n')
  })
}
