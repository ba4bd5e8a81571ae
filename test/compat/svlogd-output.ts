// The same input and config through runit's svlogd and ours: same files, same bytes (stamps and
// rotated names normalised), same stderr, same exit codes.
import t from 'tap'
import { join } from 'node:path'
import { readFileSync, mkdirSync } from 'node:fs'
import { logDir, runSvlogd, startSvlogd, feed, rotated, readCurrent, mode, unstamp } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit } from '../helpers/runit.js'

const RUNIT = runitBin('svlogd')

interface Outcome { code: number | null, stderr: string, files: string[], current: string, modes: string[] }

/** Runs both implementations, each on its own copy of the log dir(s). */
async function both (
  base: string, args: (dir: string) => string[], input: string | Buffer, config?: string
): Promise<{ runit: Outcome, ours: Outcome }> {
  const run = async (who: 'runit' | 'ours'): Promise<Outcome> => {
    const dir = logDir(join(base, who), config)
    const r = await runSvlogd(args(dir), input, who === 'runit' ? { exe: RUNIT } : {})
    const norm = (s: string): string => unstamp(s.replaceAll(dir, 'DIR').replace(/@[0-9a-f]{24}/g, '@X'))
    return {
      code: r.code,
      stderr: norm(r.stderr),
      files: rotated(dir).map(f => f.slice(25) + ':' + norm(readFileSync(join(dir, f), 'latin1'))),
      current: norm(readCurrent(dir)),
      modes: [...rotated(dir), 'current', 'lock'].map(f => mode(join(dir, f)))
    }
  }
  return { runit: await run('runit'), ours: await run('ours') }
}

function numbered (count: number): string {
  let out = ''
  for (let i = 0; i < count; i++) out += `${i % 5 === 0 ? 'error' : 'info'}: line ${i} ${'z'.repeat((i * 7) % 40)}\tend\n`
  return out
}

t.test('rotation, selection, prefix, stderr echo, -l, -r, -tt: identical results', needRunit(), async t => {
  const config = 's700\nn0\np> \n-*\n+error*\n+*line 3*\ne*line 1?*\n'
  const r = await both(t.testdir(), d => ['-tt', '-l', '30', '-b', '64', '-r', '~', d], numbered(400), config)
  t.ok(r.runit.files.length > 3, `runit rotated ${r.runit.files.length} times`)
  t.same(r.ours, r.runit)
})

t.test('-t and -ttt, long lines over buflen, s0', needRunit(), async t => {
  const long = 'L'.repeat(5000)
  for (const opt of ['-t', '-ttt']) {
    const base = join(t.testdir(), opt)
    mkdirSync(base, { recursive: true })
    const r = await both(base, d => [opt, d], `short\n${long}\nafter\n`, 's0\n')
    t.same(r.ours, r.runit, opt)
  }
})

t.test('a line split across files by a small s, -v messages', needRunit(), async t => {
  const r = await both(t.testdir(), d => ['-v', d], 'a'.repeat(250) + '\nbb\n', 's100\nn2\n')
  t.same(r.ours, r.runit)
})

t.test('processor: same files, same state', needRunit(), async t => {
  const config = 's40\nn0\n!tr a-z A-Z; echo "$(cat <&4)x" >&5\n'
  const r = await both(t.testdir(), d => ['-l', '5', '-b', '6', d], numbered(12), config)
  t.ok(r.ours.files.length > 2)
  // runit's "processed" message and our "close" may come in a different order between dirs; here one dir: same order.
  t.same(r.ours, r.runit)
})

t.test('pattern matching agrees with runit\'s (e lines echoed on stderr)', needRunit(), async t => {
  const lines = ['', 'a', 'aa', 'ab', 'aab', 'abab', 'abc', 'abcd', 'a*bx', '**x', '*x', 'xyz', 'xyyz', 'x y z',
    'tcpsvd: info: pid 1977 from 10.0.0.1', 'error: disk', 'fatal: x', '+', 'a+b']
  const patterns = ['*', 'a*', '*b', '*ab', '*b*b', '**x', '+ab', 'x+yz', 'x+y*', '*pid*', '*: *: pid *', 'a+b', '+a', '*+', 'ab', '', '*error*']
  // Lines are ordered so that no "+c" reaches the end of a line: there runit read a stale byte
  // (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2).
  for (const p of patterns) {
    const base = join(t.testdir(), String(patterns.indexOf(p)))
    mkdirSync(base, { recursive: true })
    const r = await both(base, d => [d], lines.join('\n') + '\n', `e${p}\n`)
    t.equal(r.ours.stderr, r.runit.stderr, `pattern ${JSON.stringify(p)}`)
  }
})

t.test('errors: usage lines, missing directories', needRunit(), async t => {
  const base = t.testdir()
  for (const args of [[], ['-r', 'ab', 'x'], ['-b', '10', '-l', '10', 'x'], ['-x', 'x'], [join(base, 'missing')]]) {
    const a = await runSvlogd(args, '', { exe: RUNIT })
    const b = await runSvlogd(args, '')
    const norm = (s: string): string => s.replace(/^usage: .*?svlogd /m, 'usage: svlogd ')
    t.equal(b.code, a.code, `exit code for ${JSON.stringify(args)}`)
    t.equal(norm(b.stderr), norm(a.stderr), `stderr for ${JSON.stringify(args)}`)
  }
})

t.test('deliberate differences: the final line without newline is kept (runit drops it)', needRunit(), async t => {
  const r = await both(t.testdir(), d => [d], 'one\ntwo')
  t.equal(r.runit.current, 'one\n')
  t.equal(r.ours.current, 'one\ntwo\n')
})

t.test('deliberate difference: what is in the pipe when TERM comes is written (runit drops it)', needRunit(), async t => {
  const text = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join('') + 'partial'
  const currents: string[] = []
  for (const exe of [RUNIT, undefined]) {
    const dir = logDir(join(t.testdir(), exe === undefined ? 'ours' : 'runit'))
    const s = startSvlogd(t, [dir], exe === undefined ? {} : { exe })
    await feed(s, 'first\n')
    await until(() => readCurrent(dir), c => c === 'first\n', { what: 'current' })
    process.kill(s.pid, 'SIGSTOP')
    await feed(s, text)
    process.kill(s.pid, 'SIGTERM')
    process.kill(s.pid, 'SIGCONT')
    t.same(await s.exit, [0, null])
    currents.push(readCurrent(dir))
  }
  t.ok(currents[0]!.length < text.length / 2, `runit wrote only ${currents[0]!.length} of ${text.length + 6} bytes`)
  t.equal(currents[1], 'first\n' + text + '\n', 'ours wrote all of it')
})
