import t from 'tap'
import { encodeStatus, decodeStatus, STATUS_SIZE } from '../../build/protocol/status.js'
import { formatStat } from '../../build/protocol/stat.js'

// Captured from runit 2.1.2-54's runsv (supervise/status and supervise/stat after each step).
const GOLDEN = {
  run: ['400000006b0271b32727e33ce112000000750001', 'run\n'],
  paused: ['400000006b0271b32727e33ce112000001750001', 'run, paused\n'],
  termWantDown: ['400000006b0271b32727e33ce112000000640101', 'run, got TERM, want down\n'],
  finish: ['400000006b0271b32727e33c1e13000000640002', 'finish, want down\n'],
  down: ['400000006b0271b528457c840000000000640000', 'down\n'],
  downPaused: ['400000006b0271b528457c840000000001640000', 'down, paused\n']
} as const

t.test('decode then encode gives runit\'s bytes back', async t => {
  for (const [name, [hex]] of Object.entries(GOLDEN)) {
    const rec = decodeStatus(Buffer.from(hex, 'hex'))
    t.ok(rec, `${name} decodes`)
    t.equal(encodeStatus(rec!).toString('hex'), hex, name)
  }
})

t.test('fields sit where runit puts them', async t => {
  const run = decodeStatus(Buffer.from(GOLDEN.run[0], 'hex'))!
  t.equal(run.pid, 0x12e1, 'pid is little-endian')
  t.equal(run.when.sec, 0x6b0271b3 - 10, 'label is 2^62 + 10 + unix seconds')
  t.equal(run.when.nano % 1000, 500, 'runit nanoseconds end in 500')
  t.same([run.state, run.want, run.paused, run.gotTerm], ['run', 'up', false, false])
  const f = decodeStatus(Buffer.from(GOLDEN.finish[0], 'hex'))!
  t.same([f.state, f.want], ['finish', 'down'])
  const dp = decodeStatus(Buffer.from(GOLDEN.downPaused[0], 'hex'))!
  t.same([dp.state, dp.paused, dp.pid], ['down', true, 0])
})

t.test('stat text matches runit for the same records', async t => {
  for (const [name, [hex, text]] of Object.entries(GOLDEN)) {
    const rec = decodeStatus(Buffer.from(hex, 'hex'))!
    t.equal(formatStat({ state: rec.state!, paused: rec.paused, gotTerm: rec.gotTerm, want: rec.want }), text, name)
  }
  t.equal(formatStat({ state: 'run', paused: false, gotTerm: true, want: 'exit' }), 'run, got TERM, want exit\n')
  t.equal(formatStat({ state: 'down', paused: false, gotTerm: false, want: 'exit' }), 'down\n', 'want never shown while down')
})

t.test('only 20-byte records are accepted', async t => {
  t.equal(STATUS_SIZE, 20)
  t.equal(decodeStatus(Buffer.alloc(18)), null, 'daemontools 18-byte record rejected')
  t.equal(decodeStatus(Buffer.alloc(21)), null)
  const odd = Buffer.from(GOLDEN.run[0], 'hex')
  odd[19] = 7
  t.equal(decodeStatus(odd)!.state, null, 'unknown state byte')
})
