// doc/guide.md as a user would follow it: its ```sh blocks run, in order, in one shell with a
// fresh HOME; every line of its ```console blocks is accounted for below.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { ROOT, startBin, processesWithEnv } from '../helpers/bin.js'
import { NODE } from '../helpers/chpst.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { publicDir, shareFile } from '../helpers/public-dir.js'
import { until } from '../helpers/until.js'
import { readText } from '../helpers/svdir.js'

const GUIDE = join(ROOT, 'doc', 'guide.md')
/** The port the guide gives the web app (its env/PORT). */
const GUIDE_PORT = 8081

/** Commands shown in ```console blocks, and who runs them instead of this test. */
const SHOWN: Record<string, string> = {
  'npm ci': 'run by .ci/run (checked below)',
  'npm run build': 'run by `npm test` (its pretest script), which .ci/run runs (checked below)',
  'mkdir -p /etc/sv /etc/service': 'the system tree needs root; the same command with ~/sv ~/service runs here',
  'runsvdir -P /etc/service': 'the system tree needs root; runsvdir -P ~/service runs here',
  'sv exit /etc/service/sshd': "needs a system tree running sshd; sv exit itself is tested in test/sv and by this guide's stop",
  "grep 'open files' /proc/$(cat /etc/service/cron/supervise/pid)/limits": 'needs a system tree running cron; the limit is tested in test/runsv/start-state.ts and test/runsvdir/env.ts',
  'docker build -t myapp .': 'needs a container runtime',
  'docker run --init -d --name myapp myapp': 'needs a container runtime',
  'docker stop myapp': "needs a container runtime; what it does (HUP to runsvdir) is the guide's last sh block",
  'docker build -f doc/container/Dockerfile -t webapp .': 'needs a container runtime',
  'docker run -d --name webapp -p 8080:8080 webapp': 'needs a container runtime; runit --container as PID 1 is tested in test/init/container.ts',
  'docker exec webapp sv status /etc/service/webapp': 'needs a container runtime',
  'docker logs webapp': 'needs a container runtime; the prefixed output is tested in test/init/container.ts',
  'docker stop webapp': 'needs a container runtime; TERM to PID 1 is tested in test/init/container.ts'
}

interface Block { lang: string, body: string, line: number }

function blocks (md: string): Block[] {
  const out: Block[] = []
  const lines = md.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!)
    if (open === null) continue
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!)
    out.push({ lang: open[1]!, body: body.join('\n') + '\n', line: start + 1 })
  }
  return out
}

const guide = readFileSync(GUIDE, 'utf8')
const all = blocks(guide)

t.test('every console command in the guide is run elsewhere or cannot run here, for a reason', async t => {
  const shown = all.filter(b => b.lang === 'console').flatMap(b => b.body.split('\n')).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  for (const cmd of shown) t.ok(SHOWN[cmd], `listed: ${cmd}`)
  for (const cmd of Object.keys(SHOWN)) t.ok(shown.includes(cmd), `still in the guide: ${cmd}`)
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
  t.match(ci, /npm ci && npm test/, '.ci/run runs npm ci and npm test')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.pretest, 'npm run build', 'npm test runs npm run build first')
  t.same([...new Set(all.map(b => b.lang))].filter(l => !['sh', 'console', 'ini', 'text', 'dockerfile', 'yaml'].includes(l)), [], 'no block of an unknown kind')
})

async function portFree (port: number): Promise<boolean> {
  const s = createServer()
  return await new Promise(resolve => {
    s.once('error', () => { resolve(false) })
    s.listen(port, '127.0.0.1', () => { s.close(() => { resolve(true) }) })
  })
}

const portBusy = await portFree(GUIDE_PORT) ? false : `port ${GUIDE_PORT}, the one the guide gives the web app, is in use on this machine`

t.test('the sh blocks of the guide run, in order, and leave nothing running', { skip: portBusy }, async t => {
  // Run by root, the guide's webapp drops to nobody, who must reach ~/sv/webapp and a node (the
  // guide says to use /etc/sv then): a public directory, as the clone's may be closed to others.
  const dir = publicDir(t)
  const home = join(dir, 'home')
  const prefix = join(dir, 'prefix')
  const nodeDir = join(dir, 'node')
  for (const d of [home, prefix, nodeDir]) mkdirSync(d)
  shareFile(NODE, join(nodeDir, 'node'))
  const sh = all.filter(b => b.lang === 'sh')
  t.ok(sh.length >= 8, 'the guide has its walk-through')
  // set -x: the trace (stderr) shows which command failed.
  const script = ['set -x', ...sh.map(b => `# doc/guide.md line ${b.line}\n${b.body}`)].join('\n')
  const token = randomUUID()
  const env = cleanEnv({
    HOME: home,
    // `npm install -g .` installs into this prefix, whose bin/ is on PATH like a user's would be.
    NPM_CONFIG_PREFIX: prefix,
    PATH: `${join(prefix, 'bin')}:${nodeDir}:${PATH}`,
    GUIDE_TEST: token
  })
  const run = startBin(t, 'sh', ['-e', '-c', script], { exe: '/bin/sh', env, cwd: ROOT })
  const [code] = await run.exit
  t.equal(code, 0, 'every command succeeds', { stderr: run.stderr().split('\n').slice(-30).join('\n') })

  t.match(run.stdout(), /runsvdir exited 111/, 'HUP: runsvdir exits 111 after stopping the services')
  t.match(run.stdout(), /worker: stopped \(exit -1, signal 15\)/, "the worker's finish ran when the tree stopped")
  t.match(run.stdout(), /^run: hello: \(pid \d+\) \d+s; run: log: \(pid \d+\) \d+s$/m, 'sv status hello: run, with its log')
  t.match(run.stdout(), /^run: worker: \(pid \d+\) \d+s$/m, 'the worker ran once webapp was up')
  t.match(run.stdout(), /^ok: run: webapp: \(pid \d+\) \d+s$/m, 'sv -w 10 start webapp waited for its check')
  const hello = readText(join(home, 'sv', 'hello', 'log', 'main', 'current'))
  t.match(run.stdout(), /^ok: down: hello: \d+s, normally up$/m, 'sv -v down hello: ok: down')
  t.equal(run.stdout().match(/^ok: run: hello: \(pid \d+\) \d+s$/gm)?.length, 2, 'sv restart and sv -v up: ok: run')
  // The last start (sv -v up) may be cut short by the rm that follows it at once.
  t.ok((hello.match(/^\S+ hello: starting$/gm)?.length ?? 0) >= 2, 'hello logged its starts (enabled, sv restart)')
  t.ok(existsSync(join(home, 'sv', 'hello', 'down')), 'touch down made its mark')
  t.match(readText(join(home, 'sv', 'webapp', 'log', 'main', 'current')), `webapp: listening on http://127.0.0.1:${GUIDE_PORT}/`, 'webapp used env/PORT')
  t.equal(readText(join(home, 'sv', 'hello', 'log', 'main', 'config')), 's1000000\nn5\n', 'svlogd config written')
  t.ok(existsSync(join(prefix, 'bin', 'runsvdir')), 'npm install -g . put the programs on PATH')

  // The shell has exited; everything it started must be gone without help.
  const left = await until(() => processesWithEnv('GUIDE_TEST', token), p => p.length === 0, { what: 'processes left by the guide', timeout: 15000 }).catch(() => processesWithEnv('GUIDE_TEST', token))
  t.same(left, [], 'nothing the guide started is left running')
})
