// `npm start` (scripts/demo.js, run after the build): runsvdir over a copy of sv-examples/.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, alive } from '../helpers/bin.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { until } from '../helpers/until.js'
import { trackTree, cmdline, within } from './tree.js'

t.test('the demo supervises hello, says what to try, and ^C leaves nothing behind', async t => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.js')], {
    cwd: ROOT,
    env: cleanEnv({ TMPDIR: t.testdir() }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const exit = new Promise<[number | null, string | null]>(resolve => { child.once('exit', (c, s) => { resolve([c, s]) }) })
  const tree = trackTree(t, child.pid!, { killRoot: true })

  const [, dir] = await until(() => /is supervising (\S+)/.exec(out), m => m !== null, { what: 'demo output' }) as RegExpExecArray
  t.match(out, `SVDIR=${dir} node bin/sv.js status hello`, 'suggests the sv command')
  const hello = join(dir!, 'hello')
  await until(() => existsSync(join(hello, 'supervise', 'stat')) && readFileSync(join(hello, 'supervise', 'stat'), 'latin1'), s => s === 'run\n', { what: 'hello stat' })
  await until(() => out, s => s.includes('hello: still here'), { what: 'hello output' })
  tree.sample()
  const seen = tree.seen()
  t.ok(seen.length >= 3, 'runsvdir, runsv and the service were running')

  // What a terminal's ^C does: SIGINT to the whole foreground process group.
  process.kill(-child.pid!, 'SIGINT')
  const [code] = await within(exit, () => `the demo still running, output ${JSON.stringify(out)},`)
  t.equal(code, 0, 'the demo exits 0')
  t.match(out, 'nothing left running')
  t.same(seen.filter(alive).map(p => `${p} ${cmdline(p)}`), [], 'no process of the demo is left')
  t.notOk(existsSync(dir!), 'the temporary copy is removed')
})
