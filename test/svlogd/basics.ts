// svlogd end to end on real files: stamps, modes, options, config lines, errors.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, chmodSync, existsSync, readFileSync } from 'node:fs'
import { logDir, runSvlogd, startSvlogd, readCurrent, readAll, rotated, mode, feed } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'
import { shownAs } from '../helpers/ps.js'

const TT = /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d{5} /
const TTT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{5} /
const TAI = /^@4000000[0-9a-f]{17} /

t.test('writes current with -tt stamps; modes as runit: lock 0600, current 0744 after exit', async t => {
  const dir = logDir(t.testdir())
  const r = await runSvlogd(['-tt', dir], 'hello\nworld\n')
  t.equal(r.code, 0)
  t.equal(r.stderr, '')
  const lines = readCurrent(dir).split('\n')
  t.equal(lines.length, 3)
  t.match(lines[0], TT)
  t.equal(lines[0]!.slice(26), 'hello')
  t.equal(lines[1]!.slice(26), 'world')
  t.equal(lines[2], '')
  t.equal(mode(join(dir, 'current')), '744', 'owner-x marks a clean close')
  t.equal(mode(join(dir, 'lock')), '600')
  // The stamp is UTC, whatever TZ says.
  const stamp = lines[0]!.slice(0, 19).replace('_', 'T') + 'Z'
  t.ok(Math.abs(Date.parse(stamp) - Date.now()) < 60_000, `stamp ${stamp} is now in UTC`)
})

t.test('-t is TAI64N, -ttt is ISO 8601 with T, no -t is no stamp', async t => {
  const base = t.testdir()
  const a = logDir(base, undefined, 'a')
  const b = logDir(base, undefined, 'b')
  const c = logDir(base, undefined, 'c')
  await runSvlogd(['-t', a], 'x\n')
  await runSvlogd(['-ttt', b], 'x\n')
  await runSvlogd(['-tttt', c], 'x\n')
  t.match(readCurrent(a), TAI)
  t.equal(Number.parseInt(readCurrent(a).slice(17, 25), 16) % 1000, 500, 'nanoseconds end in 500, as runit\'s')
  t.match(readCurrent(b), TTT)
  t.match(readCurrent(c), TTT, 'more t\'s are -ttt')
  const d = logDir(base, undefined, 'd')
  await runSvlogd([d], 'x\n')
  t.equal(readCurrent(d), 'x\n')
})

t.test('stamps have microseconds, as runit\'s gettimeofday', async t => {
  // Each run stamps once. With a millisecond clock every nano field would be xxx000500; five
  // stamps all on a whole millisecond by chance: one in 10^15.
  const base = t.testdir()
  const before = Date.now()
  const nanos: number[] = []
  for (let i = 0; i < 5; i++) {
    const dir = logDir(base, undefined, `m${i}`)
    await runSvlogd(['-t', dir], 'x\n')
    const text = readCurrent(dir)
    t.ok(Number(BigInt('0x' + text.slice(1, 17)) - 0x400000000000000an) * 1000 >= before - 1000, 'not before the test')
    nanos.push(Number.parseInt(text.slice(17, 25), 16))
  }
  t.ok(nanos.every(n => n % 1000 === 500), 'nanoseconds end in 500')
  t.ok(nanos.some(n => Math.floor(n / 1000) % 1000 !== 0), `sub-millisecond digits: ${nanos.join(' ')}`)
})

t.test('a last line without a newline is written at EOF (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2), with a newline added', async t => {
  const dir = logDir(t.testdir())
  const r = await runSvlogd([dir], 'one\ntwo\npartial')
  t.equal(r.code, 0)
  t.equal(readCurrent(dir), 'one\ntwo\npartial\n')
})

t.test('appends to an existing clean current; an unclean one becomes a .u', async t => {
  const base = t.testdir()
  const clean = logDir(base, undefined, 'clean')
  writeFileSync(join(clean, 'current'), 'old\n')
  chmodSync(join(clean, 'current'), 0o744)
  const r1 = await runSvlogd(['-v', clean], 'new\n')
  t.equal(readCurrent(clean), 'old\nnew\n')
  t.match(r1.stderr, `svlogd: info: append: ${clean}/current\n`)

  const unclean = logDir(base, undefined, 'unclean')
  writeFileSync(join(unclean, 'current'), 'crashed\n')
  chmodSync(join(unclean, 'current'), 0o644)
  const r2 = await runSvlogd(['-v', unclean], 'new\n')
  t.equal(readCurrent(unclean), 'new\n')
  const u = rotated(unclean)
  t.equal(u.length, 1)
  t.match(u[0], /^@[0-9a-f]{24}\.u$/)
  t.equal(readFileSync(join(unclean, u[0]!), 'utf8'), 'crashed\n')
  t.match(r2.stderr, `svlogd: info: new: ${unclean}/current\n`)
})

t.test('usage errors exit 111 with runit\'s usage line', async t => {
  const dir = logDir(t.testdir())
  const usage = /^usage: .*svlogd \[-ttv\] \[-r c\] \[-R abc\] \[-l len\] \[-b buflen\] dir \.\.\.\n\n$/
  for (const args of [[], ['-r', 'ab', dir], ['-r', '', dir], ['-l', '2000', dir], ['-b', '100', '-l', '100', dir]]) {
    const r = await runSvlogd(args, '')
    t.equal(r.code, 111, `exit 111 for ${JSON.stringify(args)}`)
    t.match(r.stderr, usage)
  }
  const x = await runSvlogd(['-x', dir], '')
  t.equal(x.code, 111)
  t.match(x.stderr, /^svlogd: illegal option -- x\nusage: /)
  const l = await runSvlogd(['-l'], '')
  t.match(l.stderr, /^svlogd: option requires an argument -- l\nusage: /)
  const v = await runSvlogd(['-V', dir], '')
  t.equal(v.code, 111)
  t.match(v.stderr, /^\$Id: runit-ts svlogd .* \$\nusage: /)
  t.notOk(existsSync(join(dir, 'current')), 'nothing was opened')
})

t.test('no usable directory: warning per dir, then fatal, exit 111', async t => {
  const base = t.testdir()
  const file = join(base, 'file')
  writeFileSync(file, '')
  const r = await runSvlogd([join(base, 'missing'), file], 'x\n')
  t.equal(r.code, 111)
  t.equal(r.stderr,
    `svlogd: warning: unable to open log directory: ${join(base, 'missing')}: file does not exist\n` +
    `svlogd: warning: unable to change directory: ${file}: not a directory\n` +
    'svlogd: fatal: no functional log directories.\n')
})

t.test('one bad directory out of two: the other is used', async t => {
  const base = t.testdir()
  const good = logDir(base)
  const r = await runSvlogd([join(base, 'missing'), good], 'x\n')
  t.equal(r.code, 0)
  t.match(r.stderr, 'unable to open log directory')
  t.equal(readCurrent(good), 'x\n')
})

t.test('-r and -R replace bytes in the first -l bytes, before matching; the rest is kept', async t => {
  const base = t.testdir()
  const a = logDir(base, undefined, 'a')
  await runSvlogd(['-r', '?', a], Buffer.from('tab\there\x01\xe9\x7f\n'))
  t.equal(readCurrent(a), 'tab?here????\n', 'bytes < 32, 127 and >= 128 are replaced (é is two bytes)')
  const b = logDir(base, undefined, 'b')
  await runSvlogd(['-R', 'ab', b], 'abc\td\n')
  t.equal(readCurrent(b), '__c_d\n', '-R alone replaces with _')
  const c = logDir(base, '-*#*\n', 'c')
  await runSvlogd(['-R', ' ', '-r', '#', c], 'a b\nab\n')
  t.equal(readCurrent(c), 'ab\n', 'patterns see the replaced line: "a b" became "a#b" and was deselected')
  const d = logDir(base, undefined, 'd')
  await runSvlogd(['-r', '_', '-l', '4', d], 'a\tb\tc\td\n')
  t.equal(readCurrent(d), 'a_b_c\td\n', 'only the first -l bytes are replaced')
})

t.test('-l truncates what patterns, stderr and UDP see, never the file; ... when len bytes were taken', async t => {
  const dir = logDir(t.testdir(), 'e*\n-*\n+abcd*\n')
  const r = await runSvlogd(['-l', '4', dir], 'abcdefgh\nabc\nabcd\nxyz\n')
  t.equal(r.stderr, 'abcd...\nabc\nabcd...\nxyz\n', 'stderr gets the first 4 bytes, ... also for an exactly 4-byte line')
  t.equal(readCurrent(dir), 'abcdefgh\nabcd\n', 'the file gets whole lines; selection used the first 4 bytes')
})

t.test('patterns select lines per directory; e sends to stderr; p prefixes', async t => {
  const base = t.testdir()
  const all = logDir(base, 'p[all] \n', 'all')
  const errors = logDir(base, '-*\n+*error*\ne*fatal*\n', 'errors')
  const input = 'info: start\nerror here\nfatal: error bad\ninfo: done\n'
  const r = await runSvlogd(['-tt', all, errors], input)
  t.equal(r.code, 0)
  t.same(readCurrent(all).split('\n').map(l => l.slice(26)), ['[all] info: start', '[all] error here', '[all] fatal: error bad', '[all] info: done', ''])
  t.same(readCurrent(errors).split('\n').map(l => l.slice(26)), ['error here', 'fatal: error bad', ''])
  t.match(r.stderr, /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d{5} fatal: error bad\n$/, 'stderr line: stamp, no prefix of another dir')
})

t.test('-v says what it does, in runit\'s words', async t => {
  const dir = logDir(t.testdir(), 's10\nn1\n')
  const r = await runSvlogd(['-v', '-l', '1', '-b', '2', dir], 'aaaa\nbbbb\ncccc\ndddd\neeee\nffff\ngggg\n')
  t.equal(r.code, 0)
  const lines = r.stderr.replace(/@[0-9a-f]{24}/g, '@X').split('\n')
  t.same(lines, [
    `svlogd: info: read: ${dir}/config`,
    `svlogd: info: new: ${dir}/current`,
    `svlogd: info: rename: ${dir}/current @X.s 10`,
    `svlogd: info: rename: ${dir}/current @X.s 10`,
    `svlogd: info: delete: ${dir}/@X.s`,
    `svlogd: info: rename: ${dir}/current @X.s 10`,
    `svlogd: info: delete: ${dir}/@X.s`,
    `svlogd: info: close: ${dir}`,
    ''
  ])
  t.equal(readAll(dir), 'eeee\nffff\ngggg\n', 'n1: one old file kept')
})

t.test('a locked directory is refused: another svlogd holds it', async t => {
  const dir = logDir(t.testdir())
  const first = startSvlogd(t, [dir])
  await feed(first, 'first\n')
  await until(() => readCurrent(dir), s => s === 'first\n', { what: 'current' })
  const r = await runSvlogd([dir], 'second\n')
  t.equal(r.code, 111)
  t.equal(r.stderr, `svlogd: warning: unable to lock directory: ${dir}: temporary failure\nsvlogd: fatal: no functional log directories.\n`)
  first.child.stdin!.end()
  t.same(await first.exit, [0, null])
})

t.test('ps, pidof and pgrep -x see svlogd by its name and runit\'s command line', async t => {
  const dir = logDir(t.testdir())
  const s = startSvlogd(t, ['-tt', dir])
  await feed(s, 'hello\n')
  await until(() => readCurrent(dir), c => c.endsWith(' hello\n'), { what: 'current' })
  await shownAs(t, s.pid, 'svlogd', ['svlogd', '-tt', dir])
})
