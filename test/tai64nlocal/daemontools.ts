// tai64nlocal against daemontools' own program: the same bytes out for the same bytes in, in
// two time zones; and usable at the end of a pipe that stays open (`tail -f | tai64nlocal`).
import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { BIN } from '../helpers/bin.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { until } from '../helpers/until.js'
import { daemontoolsBin, needDaemontools, filter } from '../helpers/daemontools.js'

const NOW = '@400000006932f5c10a3b2c1c'
const CASES: ReadonlyArray<[string, string]> = [
  ['label and a space', `${NOW} hello\n`],
  ['label without the space', `${NOW}hello\n`],
  ['label alone', `${NOW}\n`],
  ['label and a tab', `${NOW}\tx\n`],
  ['several lines, some without labels', `first\n${NOW} a\n\nplain @ line\n${NOW} b\n`],
  ['a label in the middle of a line', `x ${NOW} y\n`],
  ['two labels on a line', `${NOW}${NOW} y\n`],
  ['no final newline', `${NOW} a\n${NOW} tail`],
  ['a cut label at the end is dropped', `${NOW} a\n@4000000069`],
  ['nanoseconds over 999999999', '@400000006932f5c1ffffffff z\n'],
  ['a long label: 32 hex digits', '@00000000400000006932f5c10a3b2c1c x\n'],
  ['the epoch and before it', '@400000000000000a00000000 a\n@3fffffffffffffff00000000 b\n'],
  ['1800 (local mean time)', '@3ffffffe8b0e9b2000000000 x\n'],
  ['DST in summer and winter', '@40000000656789abcdef0123 w\n@400000006489abcd00000001 s\n'],
  ['2038 and after', '@400000007fffffff00000000 a\n@40000000800000100000000a b\n'],
  ['far future (year 36812)', '@400000ffffffffff00000000 x\n'],
  ['uppercase text after a label', `${NOW}ABC\n`],
  ['empty input', ''],
  ['only newlines', '\n\n\n'],
  ['bytes that are not UTF-8', `${NOW} \xff\xfe\n`]
]

for (const tz of ['UTC', 'America/New_York']) {
  t.test(`same bytes as daemontools' tai64nlocal, TZ=${tz}`, needDaemontools(), async t => {
    const theirs = daemontoolsBin('tai64nlocal')!
    for (const [what, text] of CASES) {
      const input = Buffer.from(text, 'latin1')
      const [a, b] = await Promise.all([filter(theirs, input, { TZ: tz }), filter('tai64nlocal', input, { TZ: tz })])
      t.equal(a.code, 0, `${what}: daemontools exits 0`)
      t.equal(b.code, 0, `${what}: ours exits 0`)
      t.equal(b.stdout.toString('latin1'), a.stdout.toString('latin1'), what)
      t.equal(b.stderr, '', `${what}: nothing on stderr`)
    }
  })
}

t.test('where daemontools crashes (localtime fails), ours passes the label through', needDaemontools(), async t => {
  const theirs = daemontoolsBin('tai64nlocal')!
  for (const text of ['@abc x\n', '@\n', '@ y\n', '@400000006932F5C10A3B2C1C up\n', '@4000000080000000 y\n', '@40000000f x\n']) {
    const input = Buffer.from(text)
    const [a, b] = await Promise.all([filter(theirs, input, { TZ: 'UTC' }), filter('tai64nlocal', input, { TZ: 'UTC' })])
    t.equal(a.signal, 'SIGSEGV', `daemontools dies on ${JSON.stringify(text)}`)
    t.same([b.code, b.stdout.toString()], [0, text], `ours passes ${JSON.stringify(text)} through`)
  }
})

t.test('each chunk is written at once: it works behind tail -f', async t => {
  const child = spawn(join(BIN, 'tai64nlocal.js'), [], { env: cleanEnv({ TZ: 'UTC' }), stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const closed = new Promise(resolve => child.once('close', resolve))
  t.teardown(async () => { child.kill('SIGKILL'); await closed })
  child.stdin.write(`${NOW} one\n`)
  await until(() => out, o => o === '2025-12-05 15:09:43.171650076 one\n', { what: 'output' })
  child.stdin.write(`two\n${NOW} three\n`)
  await until(() => out, o => o.endsWith('two\n2025-12-05 15:09:43.171650076 three\n'), { what: 'output' })
  child.stdin.end()
  await closed
  t.equal(child.exitCode, 0)
})
