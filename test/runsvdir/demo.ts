// `npm start` (scripts/demo.js, run after the build): runsvdir over a copy of sv-examples/.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, alive } from '../helpers/bin.js'
import { NODE } from '../helpers/chpst.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { publicDir, shareFile } from '../helpers/public-dir.js'
import { until } from '../helpers/until.js'
import { trackTree, cmdline, within } from './tree.js'

t.test('the demo supervises hello, webapp and svhttpd, its hints work as printed, and ^C leaves nothing behind', async t => {
  // Run by root, the demo's webapp drops to nobody, who must reach its copy (made in TMPDIR) and
  // a node: both in a public directory, as the clone's may be closed to others.
  const tmp = publicDir(t)
  const nodeDir = join(tmp, 'node')
  mkdirSync(nodeDir)
  shareFile(NODE, join(nodeDir, 'node'))
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.js')], {
    cwd: ROOT,
    env: cleanEnv({ TMPDIR: tmp, PATH: `${nodeDir}:${PATH}` }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const exit = new Promise<[number | null, string | null]>(resolve => { child.once('exit', (c, s) => { resolve([c, s]) }) })
  const tree = trackTree(t, child.pid!, { killRoot: true })

  const [, dir] = await until(() => /is supervising (\S+)/.exec(out), m => m !== null, { what: 'demo output' }) as RegExpExecArray
  const [, path] = await until(() => new RegExp(`export SVDIR=${dir} PATH=(\\S+):\\$PATH`).exec(out), m => m !== null, { what: 'the export hint' }) as RegExpExecArray
  // The hints come in more than one chunk: wait for the last of them.
  await until(() => out, o => o.includes('Press Ctrl-C to stop everything.'), { what: 'the last hint' })
  t.match(out, 'sv status hello svhttpd webapp', 'suggests sv status')
  for (const name of ['hello', 'webapp', 'svhttpd']) {
    const svc = join(dir!, name)
    await until(() => existsSync(join(svc, 'supervise', 'stat')) && readFileSync(join(svc, 'supervise', 'stat'), 'latin1'), s => s === 'run\n', { what: `${name} stat` })
  }
  await until(() => out, s => s.includes('hello: still here'), { what: 'hello output' })
  // The hints, as a user in another terminal would type them.
  const env = cleanEnv({ SVDIR: dir!, PATH: `${path!}:${PATH}` })
  const status = spawnSync('sv', ['status', 'hello', 'webapp'], { env, encoding: 'utf8' })
  t.match(status.stdout, /^run: hello: \(pid \d+\) \d+s\nrun: webapp: \(pid \d+\) \d+s; run: log: \(pid \d+\) \d+s\n$/, 'sv status as printed')
  const check = spawnSync('sv', ['-w', '30', 'check', 'webapp'], { env, encoding: 'utf8' })
  t.equal(check.status, 0, `sv check webapp passes: ${check.stdout}${check.stderr}`)
  const port = /curl http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1]
  const logFile = join(dir!, 'webapp', 'log', 'main', 'current')
  t.match(out, `tail ${logFile}`, 'says where the log is')
  await until(() => existsSync(logFile) && readFileSync(logFile, 'utf8'), s => s.includes(`listening on http://127.0.0.1:${port}/`), { what: 'webapp log line' })
  const httpPort = /Open http:\/\/127\.0\.0\.1:(\d+)\/ for the services' page/.exec(out)?.[1]
  const page = await until(() => fetch(`http://127.0.0.1:${httpPort}/`).then(r => r.text()),
    html => html.includes('data-service="hello"><td>hello</td><td>run</td>'), { what: 'svhttpd\'s page', timeout: 15000, interval: 200 })
  t.match(page, 'data-service="webapp"><td>webapp</td><td>run</td>', 'the page lists the demo\'s services')
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
