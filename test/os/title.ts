// What ps shows for a process (lib/os/title.ts): argv strings in the original argv area, cut to
// its length, and the name in comm; process.title's text where the area cannot be written.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { argvBytes, titleText } from '../../build/os/title.js'
import { ROOT, killQuietly } from '../helpers/bin.js'
import { argvOf, commOf } from '../helpers/ps.js'
import { until } from '../helpers/until.js'

const hex = (b: Buffer): string => b.toString('hex')

t.test('argvBytes: NUL-separated, NUL-padded, the last byte always NUL', async t => {
  t.equal(hex(argvBytes(['runsv', 'cron'], 14)), hex(Buffer.from('runsv\0cron\0\0\0\0')))
  t.equal(hex(argvBytes(['runsv', 'cron'], 11)), hex(Buffer.from('runsv\0cron\0')), 'exactly full')
  t.equal(hex(argvBytes(['runsv', 'cron'], 10)), hex(Buffer.from('runsv\0cro\0')), 'cut inside the last argument')
  t.equal(hex(argvBytes(['runsv', 'cron', 'x'], 6)), hex(Buffer.from('runsv\0')), 'arguments past the end dropped')
  t.equal(hex(argvBytes(['a', '', 'b'], 6)), hex(Buffer.from('a\0\0b\0\0')), 'an empty argument is an empty string')
  t.equal(hex(argvBytes(['x', Buffer.from([0xe9, 0x0a])], 6)), '7800e90a0000', 'bytes as they are')
})

t.test('titleText (the fallback): spaces between, a byte outside ASCII shown as ?', async t => {
  t.equal(titleText(['runsvdir', '-P', '/srv', Buffer.from('log: \xe9\n', 'latin1')]), 'runsvdir -P /srv log: ?\n')
})

t.test('a real process: comm and cmdline set; a longer command line is cut to the area', async t => {
  const dir = t.testdir()
  const script = join(dir, 'show.mjs')
  writeFileSync(script, `import { showAs, argvCapacity } from ${JSON.stringify(pathToFileURL(join(ROOT, 'build', 'os', 'title.js')).href)}
const cap = argvCapacity()
showAs('runsv', [process.argv[2], 'x'.repeat(cap)])
process.stdout.write(cap + '\\n')
setInterval(() => {}, 1000)
`)
  const child = spawn(process.execPath, [script, 'cron'], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { killQuietly(child.pid!, 'SIGKILL') })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const cap = Number(await until(() => out, s => s.endsWith('\n'), { what: 'capacity' }))
  t.equal(cap, Buffer.byteLength(`${process.execPath}\0${script}\0cron`), 'the original command line, less its last NUL')
  await until(() => commOf(child.pid!), c => c === 'runsv', { what: 'comm' })
  t.same(argvOf(child.pid!), ['runsv', 'cron', 'x'.repeat(cap - 'runsv\0cron\0'.length)], 'cut to the area, last byte NUL')
})
