// Every service directory in sv-examples/: its shape, then a copy run under runsv with our sv,
// chpst and svlogd on PATH (stand-ins replace daemons that are absent or unsafe to start here).
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { accessSync, constants, cpSync, existsSync, readlinkSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, rmdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { get } from 'node:http'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { alive, BIN, ROOT, runBin, startBin, type Started } from '../helpers/bin.js'
import { NODE } from '../helpers/chpst.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { publicDir, shareFile } from '../helpers/public-dir.js'
import { until } from '../helpers/until.js'
import { pidOf, readText, stat } from '../helpers/svdir.js'

const EXAMPLES = join(ROOT, 'sv-examples')
const PROGRAMS = ['runsvdir', 'runsv', 'sv', 'svlogd', 'chpst', 'svhttpd']
const isRoot = process.getuid?.() === 0
/** svlogd -tt's stamp: UTC, "YYYY-MM-DD_HH:MM:SS.xxxxx " */
const STAMP = /^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.\d{5} /

type Tap = Test

/** What a stand-in does besides printing its arguments and staying in the foreground. */
interface StandIn {
  /** a TCP port or a unix socket path to listen on (what the example's check looks for) */
  listen?: number | string
  /** exit 0 at once when given -t (nginx's configuration test) */
  configTest?: boolean
}

interface Ctx {
  t: Tap
  /** the test dir: $SVDIR, holding the copied services */
  base: string
  /** the copied example */
  dir: string
  /** a short directory for sockets (a unix socket path must fit in 108 bytes; base's may not) */
  sock: string
  env: NodeJS.ProcessEnv
  /** a free TCP port for the example's own use */
  port: number
  /** is the daemon a stand-in? */
  standIn: boolean
  runsv: Started
}

interface Plan {
  /** the program ./run execs, found by PATH */
  daemon: string
  /** setup programs of the same package: stand-ins too when the daemon is one */
  helpers?: string[]
  /** why the real daemon is never started by this test, even where installed */
  never?: string
  /** why the example cannot run unless root (skipped otherwise) */
  needsRoot?: (standIn: boolean) => string | undefined
  standIn?: (c: Omit<Ctx, 'runsv' | 'standIn' | 'env'>) => StandIn
  /** ./conf written into the copy (shell assignments the scripts read) */
  conf?: (c: Omit<Ctx, 'runsv' | 'env'>) => string
  /** before runsv starts (e.g. configuration files) */
  prepare?: (c: Omit<Ctx, 'runsv' | 'env'>) => void
  /** the supervised process's command line shows it is the daemon itself (run ended in exec) */
  proc: RegExp
  /** a line ./run prints before exec */
  line: string
  /** a line from the daemon (or its stand-in) once it runs */
  daemonLine: (c: Ctx) => RegExp
  /** no log/: lines go to runsv's stdout */
  noLog?: boolean
  /** other examples supervised alongside (nginx needs webapp) */
  deps?: string[]
  /** the template an instance's links point into: copied beside it, never started */
  template?: string
  /** the test starts deps itself, after checking what happens without them */
  startDeps?: (c: Ctx, startDep: (name: string) => Promise<void>) => Promise<void>
  whileUp?: (c: Ctx) => Promise<void>
  afterDown?: (c: Ctx) => Promise<void>
}

const PLANS: Record<string, Plan> = {
  hello: {
    daemon: 'node',
    proc: /setInterval/,
    line: 'hello: starting',
    daemonLine: () => /hello: still here \(pid \d+\)/,
    noLog: true
  },
  webapp: {
    daemon: 'node',
    proc: /app\.mjs/,
    line: 'webapp: starting',
    prepare: c => { writeFileSync(join(c.dir, 'env', 'PORT'), `${c.port}\n`) },
    daemonLine: c => new RegExp(`webapp: listening on http://127\\.0\\.0\\.1:${c.port}/ as uid ${isRoot ? 65534 : process.getuid?.()}`),
    whileUp: async c => {
      c.t.match(await httpGet(c.port), /^hello from webapp \(pid \d+\)/, 'the app answers on env/PORT')
    }
  },
  svhttpd: {
    daemon: 'svhttpd',
    proc: /^svhttpd -a 127\.0\.0\.1 -p \d+/,
    line: 'svhttpd: starting',
    conf: c => `SVDIR=${c.base}\nPORT=${c.port}\n`,
    daemonLine: c => new RegExp(`svhttpd: info: listening on http://127\\.0\\.0\\.1:${c.port}/ \\(read-only\\)`),
    whileUp: async c => {
      c.t.match(await httpGet(c.port), /<tr class="state-run" data-service="svhttpd"><td>svhttpd<\/td><td>run<\/td>/, 'the page lists itself, running')
    }
  },
  nginx: {
    daemon: 'nginx',
    proc: /nginx/,
    line: 'nginx: starting',
    deps: ['webapp'],
    standIn: c => ({ listen: c.port, configTest: true }),
    conf: c => `CONF=${join(c.base, 'nginx.conf')}\nPORT=${c.port}\n`,
    prepare: c => {
      // For a real nginx: everything in the test dir, on the free port, in front of webapp.
      const web = readText(join(c.base, 'webapp', 'env', 'PORT')).trim()
      mkdirSync(join(c.base, 'nginx-tmp'))
      writeFileSync(join(c.base, 'nginx.conf'), [
        `pid ${join(c.base, 'nginx.pid')};`,
        'error_log stderr notice;',
        'events {}',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(k => `  ${k}_temp_path ${join(c.base, 'nginx-tmp', k)};`),
        `  server { listen 127.0.0.1:${c.port}; location / { proxy_pass http://127.0.0.1:${web}; } }`,
        '}', ''
      ].join('\n'))
    },
    daemonLine: c => c.standIn ? /nginx \(stand-in, pid \d+\): -c \S+ -e stderr -g daemon off;/ : /start worker process/,
    startDeps: async (c, startDep) => {
      // Ordering: without a running webapp, ./run's `sv -w 10 start webapp || exit 1` fails and
      // nginx is never exec'd; runsv retries every second.
      const log = join(c.dir, 'log', 'main', 'current')
      await until(() => readText(log), s => /webapp: (unable to open supervise\/ok|runsv not running)/.test(s), { what: 'nginx log', timeout: 10000 })
      c.t.notMatch(readText(log), c.standIn ? /nginx \(stand-in/ : /nginx\/\d/, 'nginx is not started before webapp')
      c.t.notOk(/nginx/.test(cmdline(pidOf(c.dir))), 'the supervised process is still ./run, not nginx')
      await startDep('webapp')
      await until(() => readText(log), s => /ok: run: webapp: \(pid \d+\)/.test(s), { what: 'nginx log', timeout: 15000 })
    },
    whileUp: async c => {
      // sv reload → control/h: configuration test, then nginx's own HUP to the same pid.
      const pid = pidOf(c.dir)
      const r = await sv(c, ['reload', 'nginx'])
      c.t.equal(r.code, 0, 'sv reload nginx exits 0')
      const log = join(c.dir, 'log', 'main', 'current')
      await until(() => readText(log), s => s.includes('nginx: configuration ok, reloading'), { what: 'nginx log' })
      await until(() => readText(log), s => (c.standIn ? /SIGHUP received, reconfiguring/ : /signal 1 \(SIGHUP\) received/).test(s), { what: 'nginx log' })
      c.t.equal(pidOf(c.dir), pid, 'reload keeps the same nginx process')
      c.t.equal(stat(c.dir), 'run\n', 'and it keeps running')
      if (!c.standIn) c.t.match(await httpGet(c.port), /^hello from webapp/, 'nginx proxies to webapp')
    },
    afterDown: async c => {
      // ./down-signal: sv down asks for nginx's graceful stop, QUIT, instead of TERM.
      const log = join(c.dir, 'log', 'main', 'current')
      await until(() => readText(log), s => (c.standIn ? /nginx \(stand-in\): SIGQUIT, exiting/ : /signal 3 \(SIGQUIT\) received/).test(s), { what: 'nginx log' })
    }
  },
  dbus: {
    daemon: 'dbus-daemon',
    helpers: ['dbus-uuidgen'],
    needsRoot: standIn => standIn ? undefined : 'dbus-daemon --system must start as root (it switches to the messagebus user)',
    proc: /dbus-daemon/,
    line: 'dbus: starting the system bus',
    conf: c => `RUNDIR=${join(c.sock, 'run-dbus')}\n`,
    standIn: c => ({ listen: join(c.sock, 'run-dbus', 'system_bus_socket') }),
    daemonLine: c => c.standIn ? /dbus-daemon \(stand-in, pid \d+\): --system --nofork --nopidfile --address=unix:path=/ : /dbus: starting the system bus/,
    whileUp: async c => {
      c.t.ok(existsSync(join(c.sock, 'run-dbus', 'system_bus_socket')), 'the bus socket is in RUNDIR from ./conf')
    },
    afterDown: async c => {
      const log = join(c.dir, 'log', 'main', 'current')
      await until(() => readText(log), s => /dbus: stopped \(exit -?\d+, signal \d+\), removing/.test(s), { what: 'dbus log' })
      c.t.notOk(existsSync(join(c.sock, 'run-dbus', 'system_bus_socket')), './finish removed the socket')
    }
  },
  udevd: {
    daemon: 'udevd',
    never: "a real udevd would manage this machine's devices",
    proc: /udevd/,
    line: 'udevd: starting',
    conf: c => `RUNDIR=${join(c.sock, 'run-udev')}\n`,
    standIn: c => ({ listen: join(c.sock, 'run-udev', 'control') }),
    daemonLine: () => /udevd \(stand-in, pid \d+\)/,
    whileUp: async c => {
      await until(() => existsSync(join(c.sock, 'run-udev', 'control')), ok => ok, { what: 'udevd control socket' })
      c.t.pass('udevd made its control socket in RUNDIR')
    },
    afterDown: async c => {
      const log = join(c.dir, 'log', 'main', 'current')
      await until(() => readText(log), s => /udevd: exited \(code -?\d+, signal \d+\); removing/.test(s), { what: 'udevd log' })
      c.t.notOk(existsSync(join(c.sock, 'run-udev', 'control')), './finish removed the stale control socket')
    }
  },
  sshd: {
    daemon: 'sshd',
    helpers: ['ssh-keygen'],
    needsRoot: () => './run creates /run/sshd, the privilege-separation directory sshd requires',
    proc: /sshd/,
    line: 'sshd: starting',
    conf: c => `OPTS='-p ${c.port}'\n`,
    daemonLine: c => c.standIn ? new RegExp(`sshd \\(stand-in, pid \\d+\\): -D -e -o PidFile=none -p ${c.port}`) : new RegExp(`Server listening on .* port ${c.port}`)
  },
  'getty@tty1': {
    template: 'getty@',
    daemon: 'getty',
    never: 'a real getty would open /dev/tty1',
    proc: /getty/,
    line: 'getty: starting on /dev/tty1',
    daemonLine: () => /getty \(stand-in, pid \d+\): 38400 tty1 linux/
  },
  cron: {
    daemon: 'cron',
    never: "a real cron would run this machine's crontabs",
    proc: /cron/,
    line: 'cron: starting',
    daemonLine: () => /cron \(stand-in, pid \d+\): -f/
  }
}

function httpGet (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, res => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve(body) })
    }).on('error', reject)
  })
}

function cmdline (pid: number): string {
  if (pid <= 0) return ''
  try { return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ') } catch { return '' }
}

function installed (cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { env: cleanEnv(), stdio: 'ignore' }).status === 0
}

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => { s.listen(0, '127.0.0.1', resolve) })
  const { port } = s.address() as AddressInfo
  await new Promise(resolve => { s.close(resolve) })
  return port
}

/** The body of a stand-in daemon: CommonJS, so it runs the same under any package.json. */
function standInSource (name: string, o: StandIn): string {
  return `// stand-in for ${name}, written by test/examples/examples.ts: prints its arguments, stays in
// the foreground, exits 0 on TERM, INT or QUIT, and takes HUP as "reload", as the real one does.
const name = ${JSON.stringify(name)}
const o = ${JSON.stringify(o)}
const args = process.argv.slice(2)
if (o.configTest && args.includes('-t')) process.exit(0)
console.log(name + ' (stand-in, pid ' + process.pid + '): ' + args.join(' '))
if (o.listen !== undefined) require('node:net').createServer(s => { s.end() }).listen(o.listen)
process.on('SIGHUP', () => { console.log(name + ' (stand-in): SIGHUP received, reconfiguring') })
for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT']) process.on(sig, () => { console.log(name + ' (stand-in): ' + sig + ', exiting'); process.exit(0) })
setInterval(() => {}, 1 << 30)
`
}

/** A bin dir with our programs under their plain names, plus stand-ins. */
function makeBin (base: string, standIns: Record<string, StandIn>, helpers: string[]): string {
  const bin = join(base, 'bin')
  mkdirSync(bin)
  for (const p of PROGRAMS) symlinkSync(join(BIN, `${p}.js`), join(bin, p))
  shareFile(NODE, join(bin, 'node')) // for a daemon run as nobody
  for (const [name, o] of Object.entries(standIns)) {
    writeFileSync(join(bin, `${name}.cjs`), standInSource(name, o))
    writeFileSync(join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${join(bin, `${name}.cjs`)}" "$@"\n`)
    chmodSync(join(bin, name), 0o755)
  }
  for (const h of helpers) {
    writeFileSync(join(bin, h), `#!/bin/sh\necho "${h} (stand-in): $*"\n`)
    chmodSync(join(bin, h), 0o755)
  }
  return bin
}

function sv (c: { env: NodeJS.ProcessEnv, base: string }, args: string[]): ReturnType<typeof runBin> {
  return runBin('sv', args, { env: c.env, cwd: c.base })
}

function isExecutable (path: string): boolean {
  try { accessSync(path, constants.X_OK); return statSync(path).isFile() } catch { return false }
}

const names = readdirSync(EXAMPLES, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()

t.test('the examples the issue asks for are all there', async t => {
  for (const n of ['dbus', 'udevd', 'nginx', 'sshd', 'getty@', 'getty@tty1', 'cron', 'webapp']) t.ok(names.includes(n), n)
  t.ok(existsSync(join(EXAMPLES, 'getty@tty1', 'down')), 'getty is down by default')
  t.equal(readlinkSync(join(EXAMPLES, 'getty@tty1', 'run')), '../getty@/run', 'getty@tty1 is an instance of getty@ (sv new)')
  t.ok(isExecutable(join(EXAMPLES, 'nginx', 'check')), 'nginx has a check')
  t.ok(isExecutable(join(EXAMPLES, 'nginx', 'control', 'h')), 'nginx has control/h')
  t.ok(isExecutable(join(EXAMPLES, 'udevd', 'finish')), 'udevd has a finish')
  t.ok(isExecutable(join(EXAMPLES, 'webapp', 'check')), 'webapp has a check')
  t.match(readText(join(EXAMPLES, 'webapp', 'run')), /chpst -e \.\/env \$user node/, 'webapp uses chpst -e and -u')
  t.match(readText(join(EXAMPLES, 'nginx', 'run')), /sv -w 10 start webapp \|\| exit 1/, 'nginx orders itself after webapp')
})

for (const name of names) {
  t.test(`${name}: the shape of a service directory`, async t => {
    const dir = join(EXAMPLES, name)
    const plan = PLANS[name]
    // A template (NAME@) is run through its instances only.
    t.ok(plan !== undefined || name.endsWith('@'), 'this test knows how to run it (add a plan for every new example)')
    t.ok(isExecutable(join(dir, 'run')), 'run is executable')
    const run = readText(join(dir, 'run'))
    t.match(run, /^#!\/bin\/sh\n/, 'run is a /bin/sh script')
    // The last command (continuation lines are indented) must be the exec of the daemon.
    const last = run.split('\n').filter(l => /^[^\s#]/.test(l)).at(-1) ?? ''
    t.match(last, /^exec /, 'run ends in exec')
    t.match(run, /^exec 2>&1$/m, 'run sends stderr to the log too')
    const readme = readText(join(dir, 'README'))
    t.ok(readme.length > 200, 'README says what it shows')
    t.notMatch(readme.trim(), /\n\s*\n/, 'README is one paragraph')
    t.match(readme, /`ln -s [^`]+`/, 'README says how to enable it')
    for (const f of ['finish', 'check']) if (existsSync(join(dir, f))) t.ok(isExecutable(join(dir, f)), `${f} is executable`)
    if (existsSync(join(dir, 'control'))) for (const c of readdirSync(join(dir, 'control'))) t.ok(isExecutable(join(dir, 'control', c)), `control/${c} is executable`)
    if (plan?.noLog === true) {
      t.notOk(existsSync(join(dir, 'log')), 'no log/ (its lines go to the terminal)')
    } else {
      t.ok(isExecutable(join(dir, 'log', 'run')), 'log/run is executable')
      t.match(readText(join(dir, 'log', 'run')), /mkdir -p \.\/main\nexec svlogd -tt \.\/main\n/, 'log/run: exec svlogd -tt ./main')
    }
  })
}

for (const name of names) {
  const plan = PLANS[name]
  if (plan === undefined) continue
  const standIn = plan.never !== undefined || (!PROGRAMS.includes(plan.daemon) && !installed(plan.daemon))
  const needsRoot = plan.needsRoot?.(standIn)
  const skip = needsRoot !== undefined && !isRoot ? `needs root: ${needsRoot}` : false
  const how = plan.never !== undefined ? `a stand-in ${plan.daemon} (${plan.never})` : standIn ? `a stand-in ${plan.daemon} (not installed)` : `the real ${plan.daemon}`
  t.test(`${name} runs under runsv with ${how}, logs, and stops cleanly`, { skip }, async t => {
    // Run by root, webapp (and nginx's, as its dependency) drops to nobody, who must reach the
    // copies and a node: a public directory, as the clone's may be closed to others.
    const base = publicDir(t)
    const dir = join(base, name)
    const copies = [name, ...plan.deps ?? [], ...plan.template === undefined ? [] : [plan.template]]
    // verbatim: an instance's links stay relative, to the copied template
    for (const n of copies) cpSync(join(EXAMPLES, n), join(base, n), { recursive: true, verbatimSymlinks: true })
    const sock = mkdtempSync(join(tmpdir(), 'runit-ts-ex-'))
    t.teardown(() => { rmSync(sock, { recursive: true, force: true }) })
    const port = await freePort()
    if (name === 'nginx') writeFileSync(join(base, 'webapp', 'env', 'PORT'), `${await freePort()}\n`)
    const pre = { t, base, dir, sock, port, standIn }
    const daemons = standIn ? { [plan.daemon]: plan.standIn?.(pre) ?? {} } : {}
    const bin = makeBin(base, daemons, standIn ? plan.helpers ?? [] : [])
    const env = cleanEnv({ PATH: `${bin}:${PATH}`, SVDIR: base })
    if (plan.conf !== undefined) writeFileSync(join(dir, 'conf'), plan.conf(pre))
    plan.prepare?.(pre)
    // sshd's setup makes /run/sshd; leave the machine as it was.
    const runSshd = name === 'sshd' && !existsSync('/run/sshd')
    if (runSshd) t.teardown(() => { try { rmdirSync('/run/sshd') } catch { /* not made, or not empty */ } })

    const hasCheck = existsSync(join(dir, 'check'))
    if (hasCheck) {
      const early = spawnSync(join(dir, 'check'), { cwd: dir, env, stdio: 'ignore' })
      t.not(early.status, 0, './check fails while the service is not running')
    }

    const started = new Map<string, Started>()
    const startDep = async (n: string): Promise<void> => {
      const d = join(base, n)
      started.set(n, startBin(t, 'runsv', [d], { env, services: [d] }))
      await until(() => stat(d), s => s === 'run\n', { what: `${n} stat`, timeout: 10000 })
    }
    const runsv = startBin(t, 'runsv', [dir], { env, services: [dir] })
    const c: Ctx = { ...pre, env, runsv }
    if (plan.startDeps !== undefined) await plan.startDeps(c, startDep)
    else for (const n of plan.deps ?? []) await startDep(n)

    if (existsSync(join(dir, 'down'))) {
      await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
      t.match((await sv(c, ['status', name])).stdout, new RegExp(`^down: ${name}: \\d+s; run: log: `), 'down by default: runsv leaves it stopped')
      const up = await sv(c, ['up', name])
      t.equal(up.code, 0, 'sv up starts it')
    }

    await until(() => stat(dir), s => s === 'run\n', { what: 'stat', timeout: 10000 })
    const pid = await until(() => pidOf(dir), p => plan.proc.test(cmdline(p)), { what: `pid of ${plan.daemon}`, timeout: 10000 })
    t.pass(`supervise/pid is ${plan.daemon} itself (run ended in exec): ${cmdline(pid).slice(0, 100)}`)

    if (hasCheck) {
      const r = await sv(c, ['-w', '10', 'check', name])
      t.equal(r.code, 0, 'sv check passes')
      t.match(r.stdout, new RegExp(`^ok: run: ${name}: \\(pid ${pid}\\)`), 'sv check: ok, and running')
      t.equal(spawnSync(join(dir, 'check'), { cwd: dir, env, stdio: 'ignore' }).status, 0, './check exits 0 now')
    }

    const output = (): string => plan.noLog === true ? runsv.stdout() : readText(join(dir, 'log', 'main', 'current'))
    await until(output, s => s.includes(plan.line) && plan.daemonLine(c).test(s), { what: 'log', timeout: 10000 })
    t.pass(`its lines reach ${plan.noLog === true ? "runsv's stdout" : 'log/main/current'}`)
    if (plan.noLog !== true) {
      const lines = output().split('\n').filter(l => l !== '')
      t.ok(lines.every(l => STAMP.test(l)), 'every log line has svlogd -tt\'s stamp')
      t.match(readText(join(dir, 'log', 'supervise', 'stat')), /^run\n$/, 'the log service runs')
    }

    await plan.whileUp?.(c)

    const down = await sv(c, ['-w', '10', 'down', name])
    t.equal(down.code, 0, 'sv down exits 0')
    t.match(down.stdout, new RegExp(`^ok: down: ${name}: \\d+s`), 'sv down: ok: down')
    t.notOk(alive(pid), `${plan.daemon} is gone`)
    await plan.afterDown?.(c)

    const logPid = pidOf(join(dir, 'log'))
    t.equal((await sv(c, ['exit', name])).code, 0, 'sv exit exits 0')
    t.same(await runsv.exit, [0, null], 'runsv exits 0')
    if (logPid > 0) t.notOk(alive(logPid), 'the log service is gone too')
    for (const [n, s] of started) {
      t.equal((await sv(c, ['-w', '10', 'exit', n])).code, 0, `sv exit ${n}`)
      t.same(await s.exit, [0, null], `${n}'s runsv exits 0`)
    }
  })
}
