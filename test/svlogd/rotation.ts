// Rotation: size rules, pruning, age, ALRM; and that every line survives any number of rotations.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { readFileSync, writeFileSync, statSync, existsSync } from 'node:fs'
import { logDir, runSvlogd, startSvlogd, readCurrent, readAll, rotated, mode, feed } from '../helpers/svlogd.js'
import { until, sleep } from '../helpers/until.js'

/** Lines "n <number> <filler>" of varying length; every 97th is longer than -l, every 501st longer than s. */
function numbered (from: number, count: number): string {
  let out = ''
  for (let i = from; i < from + count; i++) {
    const fill = i % 501 === 0 ? 3000 : i % 97 === 0 ? 300 : i % 13
    out += `n ${i} ${'x'.repeat(fill)}\n`
  }
  return out
}

/** Checks that "n <i>" lines are exactly 0..count-1 in order, with their filler intact. */
function checkNumbers (t: Test, text: string, count: number): void {
  const lines = text.split('\n')
  t.equal(lines.pop(), '', 'ends with a newline')
  t.equal(lines.length, count, 'as many lines as were sent')
  let bad = -1
  for (let i = 0; i < lines.length; i++) {
    const fill = i % 501 === 0 ? 3000 : i % 97 === 0 ? 300 : i % 13
    if (lines[i] !== `n ${i} ${'x'.repeat(fill)}`) { bad = i; break }
  }
  t.equal(bad, -1, bad < 0 ? 'every number once, in order, intact' : `line ${bad} is ${JSON.stringify(lines[bad]?.slice(0, 40))}`)
}

t.test('a stream of numbered lines through hundreds of rotations: every number once, in order', async t => {
  const dir = logDir(t.testdir(), 's2000\nn0\n')
  const s = startSvlogd(t, ['-l', '100', dir])
  const total = 30000
  const step = 1500
  for (let i = 0; i < total; i += step) {
    // Cut the text at odd places so lines straddle the pipe's chunks.
    const text = numbered(i, step)
    const cut = (i * 7919) % text.length
    await feed(s, text.slice(0, cut))
    await feed(s, text.slice(cut))
  }
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
  t.equal(s.stderr(), '')
  const files = rotated(dir)
  t.ok(files.length > 200, `${files.length} rotations`)
  t.ok(files.every(f => statSync(join(dir, f)).size <= 2000), 'no rotated file is larger than s')
  t.ok(files.every(f => f.endsWith('.s') && mode(join(dir, f)) === '744'), 'rotated files are .s with mode 0744')
  checkNumbers(t, readAll(dir), total)
})

t.test('megabytes at once into two dirs: lines planned while a rotation waits for the disk all arrive, in order', async t => {
  // One write of 7.4 MB: svlogd plans ahead of each dir's writer (up to 2 MB) during its
  // fsyncs, and one dir's writer can go on while the other is waited for.
  const base = t.testdir()
  const dirs = [logDir(base, 's200000\nn0\n', 'a'), logDir(base, 's150000\nn0\n', 'b')]
  const total = 300000
  const r = await runSvlogd(['-l', '100', ...dirs], numbered(0, total))
  t.equal(r.code, 0)
  t.equal(r.stderr, '')
  for (const [dir, s] of [[dirs[0]!, 200000], [dirs[1]!, 150000]] as const) {
    const files = rotated(dir)
    t.ok(files.length > 30, `${files.length} rotations`)
    t.ok(files.every(f => statSync(join(dir, f)).size <= s), 'no rotated file is larger than s')
    checkNumbers(t, readAll(dir), total)
  }
})

t.test('megabytes at once with n5: exactly 5 old files, and the newest lines all kept', async t => {
  // Old files are unlinked in the background; one being unlinked must not count, or pruning
  // would take more than it should.
  const dir = logDir(t.testdir(), 's100000\nn5\n')
  const total = 300000
  const r = await runSvlogd(['-l', '100', dir], numbered(0, total))
  t.equal(r.code, 0)
  t.equal(rotated(dir).length, 5)
  const lines = readAll(dir).split('\n')
  lines.pop()
  const first = Number(lines[0]!.split(' ')[1])
  t.ok(first > 0, 'the oldest lines are gone')
  t.same(lines.map(l => Number(l.split(' ')[1])), Array.from({ length: total - first }, (_, i) => first + i), 'the rest are all there, in order')
})

t.test('rotation with ALRM and HUP in the middle of the stream loses nothing', async t => {
  const dir = logDir(t.testdir(), 's5000\nn0\n')
  const s = startSvlogd(t, [dir])
  // Signals before svlogd is up would kill it (their default action): wait for current.
  await until(() => existsSync(join(dir, 'current')), ok => ok, { what: 'current exists' })
  const total = 20000
  const step = 1000
  for (let i = 0; i < total; i += step) {
    await feed(s, numbered(i, step))
    if ((i / step) % 3 === 0) process.kill(s.pid, 'SIGALRM')
    if ((i / step) % 7 === 3) process.kill(s.pid, 'SIGHUP')
  }
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
  checkNumbers(t, readAll(dir), total)
})

t.test('s with -l: rotate after a line once current holds s - len bytes (spec example: s100 -l 10 → 95)', async t => {
  const dir = logDir(t.testdir(), 's100\nn0\n')
  const line = 'x'.repeat(18) + '\n' // 19 bytes
  await runSvlogd(['-l', '10', dir], line.repeat(12))
  const sizes = rotated(dir).map(f => statSync(join(dir, f)).size)
  t.same(sizes, [95, 95], 'two files of 5 lines each')
  t.equal(readCurrent(dir), line.repeat(2))
})

t.test('s smaller than -l: only the hard limit applies; a line is split across files at s bytes', async t => {
  const dir = logDir(t.testdir(), 's50\nn0\n')
  await runSvlogd([dir], 'a'.repeat(120) + '\nshort\n')
  t.same(rotated(dir).map(f => readFileSync(join(dir, f), 'utf8')), ['a'.repeat(50), 'a'.repeat(50)])
  t.equal(readCurrent(dir), 'a'.repeat(20) + '\nshort\n')
})

t.test('s0 never rotates by size', async t => {
  const dir = logDir(t.testdir(), 's0\n')
  await runSvlogd([dir], 'y'.repeat(5000) + '\n')
  t.same(rotated(dir), [])
  t.equal(readCurrent(dir).length, 5001)
})

t.test('n keeps at most n old files, deleting the oldest; .u files count too', async t => {
  const dir = logDir(t.testdir(), 's10\nn3\n')
  writeFileSync(join(dir, '@400000000000000000000000.u'), 'ancient\n')
  await runSvlogd(['-l', '1', '-b', '2', dir], numbered(0, 20))
  const files = rotated(dir)
  t.equal(files.length, 3)
  t.notOk(files.includes('@400000000000000000000000.u'), 'the oldest went first')
  t.equal(readAll(dir).split('\n').filter(Boolean).pop(), 'n 19 xxxxxx', 'the newest lines are kept')
})

t.test('lowering n prunes down to n at the next rotation (runit removed one file per rotation)', async t => {
  const dir = logDir(t.testdir(), 's10\nn0\n')
  await runSvlogd(['-l', '1', '-b', '2', dir], numbered(0, 10))
  t.ok(rotated(dir).length >= 8)
  writeFileSync(join(dir, 'config'), 's10\nn2\n')
  await runSvlogd(['-l', '1', '-b', '2', dir], 'one more line\n')
  t.equal(rotated(dir).length, 2)
})

t.test('processor leftovers (.t) are removed at rotation', async t => {
  const dir = logDir(t.testdir(), 's5\n')
  writeFileSync(join(dir, '@400000000000000000000000.t'), 'half\n')
  await runSvlogd([dir], 'abcdef\n')
  t.notOk(rotated(dir).some(f => f.endsWith('.t')))
})

t.test('SIGALRM rotates a non-empty current and does nothing to an empty one', async t => {
  const dir = logDir(t.testdir())
  const s = startSvlogd(t, ['-v', dir])
  await until(() => s.stderr(), e => e.includes('new:'), { what: 'stderr' })
  process.kill(s.pid, 'SIGALRM')
  await until(() => s.stderr(), e => e.includes('sigalarm received.'), { what: 'stderr' })
  await feed(s, 'before alarm\n')
  await until(() => readCurrent(dir), c => c === 'before alarm\n', { what: 'current' })
  t.same(rotated(dir), [], 'empty current: no rotation')
  process.kill(s.pid, 'SIGALRM')
  await until(() => rotated(dir), f => f.length === 1, { what: 'rotated' })
  t.equal(readFileSync(join(dir, rotated(dir)[0]!), 'utf8'), 'before alarm\n')
  t.equal(mode(join(dir, 'current')), '644', 'the new current is 0644 while open')
  await feed(s, 'after alarm\n')
  await until(() => readCurrent(dir), c => c === 'after alarm\n', { what: 'current' })
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
})

t.test('t rotates a non-empty current once the age is reached', async t => {
  const dir = logDir(t.testdir(), 't1\n')
  const s = startSvlogd(t, [dir])
  await feed(s, 'aged line\n')
  // Time is the behaviour here: the line must move to a rotated file after about a second.
  await until(() => rotated(dir), f => f.length === 1, { what: 'rotated', timeout: 5000 })
  t.equal(readFileSync(join(dir, rotated(dir)[0]!), 'utf8'), 'aged line\n')
  await sleep(1500)
  t.equal(rotated(dir).length, 1, 'an empty current is not rotated by age')
  s.child.stdin!.end()
  t.same(await s.exit, [0, null])
})
