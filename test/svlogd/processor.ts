// The !processor protocol end to end: .u → processor (fd 0, 1, 4, 5, cwd) → .t → .s; state passing.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { logDir, runSvlogd, startSvlogd, readCurrent, rotated, mode, feed } from '../helpers/svlogd.js'
import { shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

// Upper-cases the file; counts runs through state (fd 4) → newstate (fd 5); records cwd and $0.
const PROCESSOR = '!tr a-z A-Z; n=$(cat <&4); echo $((${n:-0} + 1)) >&5; pwd >> where; echo "$0" >> where'

t.test('each rotated file is processed: .s holds the output, state carries over, nothing else is left', async t => {
  const dir = logDir(t.testdir(), `s30\nn0\n${PROCESSOR}\n`)
  const r = await runSvlogd(['-v', '-l', '1', '-b', '2', dir], 'first line of log\nsecond line\nthird line, a longer one\nend\nx\n')
  t.equal(r.code, 0)
  const files = rotated(dir)
  t.same(files.map(f => f.slice(25)), ['.s', '.s'], 'two rotations, both processed (svlogd waits for the processor at exit)')
  t.equal(readFileSync(join(dir, files[0]!), 'utf8'), 'FIRST LINE OF LOG\nSECOND LINE\n')
  t.equal(readFileSync(join(dir, files[1]!), 'utf8'), 'THIRD LINE, A LONGER ONE\nEND\n')
  t.equal(mode(join(dir, files[0]!)), '744')
  t.equal(readCurrent(dir), 'x\n', 'the current at exit is not rotated')
  t.equal(readFileSync(join(dir, 'state'), 'utf8'), '2\n', 'newstate became state after each run')
  t.notOk(existsSync(join(dir, 'newstate')))
  t.equal(readFileSync(join(dir, 'where'), 'utf8'), `${dir}\nsh\n${dir}\nsh\n`, 'cwd is the log dir, $0 is sh')
  const info = r.stderr.replace(/@[0-9a-f]{24}/g, '@X')
  t.match(info, `svlogd: info: rename: ${dir}/current @X.u 30\nsvlogd: info: processing: ${dir}/@X.u\n`)
  t.match(info, `svlogd: info: processed: ${dir}/@X.s\n`)
})

t.test('a failing processor is restarted on the same .u until it succeeds', async t => {
  const base = t.testdir()
  // Fails twice (counting in a file outside the log dir), then copies its input.
  const counter = join(base, 'tries')
  const dir = logDir(base, `s6\n!n=$(cat ${shq(counter)} 2>/dev/null); echo $((\${n:-0} + 1)) > ${shq(counter)}; [ $((\${n:-0} + 1)) -ge 3 ] || exit 1; cat\n`)
  const r = await runSvlogd(['-l', '1', '-b', '2', dir], 'hello\n')
  t.equal(r.code, 0)
  t.equal(readFileSync(counter, 'utf8'), '3\n')
  t.equal((r.stderr.match(/svlogd: warning: processor failed, restart: /g) ?? []).length, 2)
  const files = rotated(dir)
  t.same(files.map(f => f.slice(25)), ['.s'])
  t.equal(readFileSync(join(dir, files[0]!), 'utf8'), 'hello\n')
})

t.test('the next rotation waits for a running processor (logging waits with it)', async t => {
  const base = t.testdir()
  const gate = join(base, 'gate')
  // Waits until the test creates the gate file, then passes its input through.
  const dir = logDir(base, `s6\nn0\n!while [ ! -e ${shq(gate)} ]; do sleep 0.05; done; cat\n`)
  const s = startSvlogd(t, ['-l', '1', '-b', '2', dir])
  await feed(s, 'one..\n')
  await until(() => rotated(dir).filter(f => f.endsWith('.u')), f => f.length === 1, { what: 'rotated .u files' })
  await feed(s, 'two..\n')
  await feed(s, 'three\n')
  // two.. is written and its rotation is due, but the first .u is still being processed.
  await until(() => readCurrent(dir), c => c === 'two..\n', { what: 'current' })
  t.same(rotated(dir).map(f => f.slice(25)), ['.t', '.u'], 'no second rotation while the processor runs')
  writeFileSync(gate, '')
  await until(() => rotated(dir).filter(f => f.endsWith('.s')).length, n => n === 3, { what: 'processed files' })
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
  t.equal(rotated(dir).map(f => readFileSync(join(dir, f), 'utf8')).join(''), 'one..\ntwo..\nthree\n')
  t.equal(readCurrent(dir), '')
})

t.test('on TERM a failing processor is not restarted: svlogd exits and the .u stays', async t => {
  const dir = logDir(t.testdir(), 's6\n!exit 1\n')
  const s = startSvlogd(t, ['-l', '1', '-b', '2', dir])
  await feed(s, 'data.\n')
  await until(() => s.stderr(), e => e.includes('processor failed, restart'), { what: 'stderr' })
  process.kill(s.pid, 'SIGTERM')
  t.same(await s.exit, [0, null])
  const files = rotated(dir)
  t.equal(files.length, 1)
  t.match(files[0], /\.u$/)
  t.equal(readFileSync(join(dir, files[0]!), 'utf8'), 'data.\n', 'the data is kept in the .u')
})
