// sv list and sv -j list: every service of $SVDIR in every state, as a table and as JSON (sv(8), LIST).
import t from 'tap'
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sv, fakeRunsv, runsv } from '../helpers/sv.js'
import { serviceIn } from '../helpers/svdir.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { until } from '../helpers/until.js'
import { makeFifos } from '../../build/os/fifo.js'
import { findHierarchy } from '../../build/os/cgroup.js'
import { formatDuration, formatBytes, wantColour, overviewTable, OVERVIEW_VERSION, type Overview } from '../../build/sv/overview.js'

const FIELDS = ['name', 'dir', 'error', 'state', 'pid', 'since', 'seconds', 'paused', 'want', 'gotTerm', 'normallyUp', 'ready',
  'restarts', 'lastExit', 'cpuSeconds', 'rssBytes', 'cgroup', 'flags']

interface Facts { [k: string]: unknown, name: string, log?: Facts | null }

const byName = (o: { services: Facts[] }): Record<string, Facts> => Object.fromEntries(o.services.map(s => [s.name, s]))

t.test('every state, as JSON and as a table (stand-in runsv records)', async t => {
  const base = t.testdir()
  const svdir = join(base, 'service')
  mkdirSync(svdir)
  const me = process.pid
  const mk = (name: string, down = false, log = false): string =>
    serviceIn(svdir, { name, run: 'exec sleep 1000', down, log: log ? 'exec cat' : undefined })
  fakeRunsv(t, mk('down-want-up'), { state: 'down', want: 'up' })
  fakeRunsv(t, mk('down-normally-down', true), { state: 'down', want: 'down' })
  fakeRunsv(t, mk('run'), { state: 'run', pid: me })
  fakeRunsv(t, mk('run-normally-down', true), { state: 'run', pid: me })
  fakeRunsv(t, mk('want-down'), { state: 'run', pid: me, want: 'down', gotTerm: true })
  fakeRunsv(t, mk('paused'), { state: 'run', pid: me, paused: true })
  fakeRunsv(t, mk('finish'), { state: 'finish', pid: me, want: 'down' })
  const withLog = mk('with-log', false, true)
  fakeRunsv(t, withLog, { state: 'run', pid: me })
  fakeRunsv(t, join(withLog, 'log'), { state: 'run', pid: me })
  // runsv's record of deaths: two restarts, then a normal exit that was not restarted.
  const died = `@400000006932f5c10a3b2c1c @400000006932f5c20a3b2c1c 1 0 restart\n`
  writeFileSync(join(svdir, 'run', 'supervise', 'deaths'), `${died}${died}${died.replace('restart', 'normal-exit')}`)
  const ready = mk('ready')
  fakeRunsv(t, ready, { state: 'run', pid: me })
  writeFileSync(join(ready, 'notification-fd'), '3\n')
  writeFileSync(join(ready, 'supervise', 'ready'), `${me} ready\n`)
  const starting = mk('starting')
  fakeRunsv(t, starting, { state: 'run', pid: me })
  writeFileSync(join(starting, 'notification-fd'), '3\n')
  writeFileSync(join(starting, 'supervise', 'ready'), `${me} starting\n`)
  mk('unsupervised')
  const stopped = mk('stopped')
  mkdirSync(join(stopped, 'supervise'))
  makeFifos([join(stopped, 'supervise', 'ok')])
  mkdirSync(join(svdir, '.hidden'))
  writeFileSync(join(svdir, 'not-a-dir'), '')

  const env = cleanEnv({ SVDIR: svdir })
  const j = await sv('ours', ['-j', 'list'], { env })
  t.equal(j.stderr, '')
  t.equal(j.code, 2, 'two services could not be read')
  t.ok(j.stdout.endsWith('}\n'), 'one line')
  const o = JSON.parse(j.stdout) as { version: number, svdir: string, time: number, services: Facts[] }
  t.same(Object.keys(o), ['version', 'svdir', 'time', 'services'])
  t.equal(o.version, OVERVIEW_VERSION)
  t.equal(o.svdir, svdir)
  t.same(o.services.map(s => s.name), ['down-normally-down', 'down-want-up', 'finish', 'paused', 'ready', 'run',
    'run-normally-down', 'starting', 'stopped', 'unsupervised', 'want-down', 'with-log'], 'directories of SVDIR by name, no dot-files')
  for (const s of o.services) t.same(Object.keys(s), [...FIELDS, 'log'], `${s.name}: the fields, in order`)
  const s = byName(o)
  t.match(s['down-want-up'], { state: 'down', pid: null, want: 'up', normallyUp: true, flags: ['normally up', 'want up'], cpuSeconds: null, rssBytes: null, ready: null, restarts: null, error: null, log: null })
  t.match(s['down-normally-down'], { state: 'down', want: 'down', normallyUp: false, flags: [] })
  t.match(s.run, { state: 'run', pid: me, paused: false, gotTerm: false, normallyUp: true, flags: [], restarts: 2, ready: null, lastExit: { code: 1, signal: 0, at: 0x6932f5c2 - 10 } })
  t.ok(typeof s.run!.cpuSeconds === 'number' && typeof s.run!.rssBytes === 'number' && (s.run!.rssBytes as number) > 0, 'CPU and memory from /proc')
  t.match(s['run-normally-down'], { state: 'run', normallyUp: false, flags: ['normally down'] })
  t.match(s['want-down'], { state: 'run', want: 'down', gotTerm: true, flags: ['want down', 'got TERM'] })
  t.match(s.paused, { state: 'run', paused: true, flags: ['paused'] })
  t.match(s.finish, { state: 'finish', pid: me, flags: ['want down'] })
  t.match(s.ready, { ready: true })
  t.match(s.starting, { ready: false })
  t.match(s.stopped, { state: null, pid: null, error: 'runsv not running', flags: [] })
  t.match(s.unsupervised, { state: null, error: 'unable to open supervise/ok: file does not exist' })
  t.match(s['with-log'], { state: 'run', log: { name: 'with-log/log', state: 'run', pid: me } })
  t.same(Object.keys(s['with-log']!.log!), FIELDS, 'the log service: the same fields')

  const table = await sv('ours', ['list'], { env })
  t.equal(table.code, 2)
  const lines = table.stdout.split('\n').filter(Boolean)
  t.match(lines[0], /^NAME +STATE +PID +UPTIME +RESTARTS +READY +CPU +MEM +FLAGS$/)
  t.equal(lines.length, 1 + 13, 'a row per service and per log service')
  const col = lines[0]!.indexOf('STATE')
  for (const l of lines) t.equal(l.charAt(col - 1), ' ', `aligned: ${l}`)
  const row = (name: string): string => lines.find(l => l.startsWith(name + ' '))!
  t.match(row('down-want-up'), /^down-want-up +down +- +\d+s +- +- +- +- +normally up, want up$/)
  t.match(row('run'), new RegExp(`^run +run +${me} +\\d+s +2 +- +\\d+\\.\\d\\ds +[\\d.]+[KMG] *$`), 'restarts from supervise/deaths')
  t.match(row('finish'), /finish +\d+ .*want down$/)
  t.match(row('paused'), /run .* paused$/)
  t.match(row('ready'), /^ready +run +\d+ +\d+s +- +yes /)
  t.match(row('starting'), /^starting +run +\d+ +\d+s +- +no /)
  t.match(row('with-log/log'), /^with-log\/log +run +\d+/)
  t.match(row('stopped'), /^stopped +- +- +- +- +- +- +- +runsv not running$/)
  t.match(row('unsupervised'), /^unsupervised +- .* unable to open supervise\/ok: file does not exist$/)
  t.notMatch(table.stdout, /\x1b/, 'no colour: not a terminal')

  const named = await sv('ours', ['-j', 'list', 'run', 'nosuch', join(svdir, 'paused')], { env })
  t.equal(named.code, 1)
  const n = JSON.parse(named.stdout) as { services: Facts[] }
  t.same(n.services.map(x => x.name), ['run', 'nosuch', join(svdir, 'paused')], 'the ones named, in order')
  t.match(n.services[1], { error: 'unable to change to service directory: file does not exist', dir: null })
  const digits = (x: string): string[] => x.split('\n').map(l => l.split(/ +/).slice(0, 2).join(' '))
  t.same(digits((await sv('ours', ['ls'], { env })).stdout), digits(table.stdout), 'ls is list')
})

t.test('real runsv: run with a log service, then down', async t => {
  const base = t.testdir()
  const dir = serviceIn(base, { name: 'web', run: 'exec sleep 1000', log: 'exec cat >/dev/null' })
  runsv(t, 'ours', dir)
  const env = cleanEnv({ SVDIR: base })
  const read = async (): Promise<Facts> => (JSON.parse((await sv('ours', ['-j', 'list'], { env })).stdout) as { services: Facts[] }).services[0]!
  let f = await until(read, x => x.state === 'run' && x.log?.state === 'run', { what: 'web' })
  t.ok((f.pid as number) > 0 && (f.cpuSeconds as number) >= 0 && (f.rssBytes as number) > 0)
  await sv('ours', ['down', dir], { env })
  f = await until(read, x => x.state === 'down', { what: 'web' })
  t.match(f, { pid: null, want: 'down', cpuSeconds: null, flags: ['normally up'], log: { state: 'run' } })
})

t.test('real runsv with a cgroup: the whole service\'s processes, CPU and memory', {
  skip: process.getuid?.() === 0 && findHierarchy().ok ? false : 'needs root and a writable cgroup2'
}, async t => {
  const base = t.testdir()
  const dir = serviceIn(base, { name: 'web', run: 'sleep 1000 & exec sleep 1001' })
  runsv(t, 'ours', dir)
  const env = cleanEnv({ SVDIR: base })
  const read = async (): Promise<Facts> => (JSON.parse((await sv('ours', ['-j', 'list'], { env })).stdout) as { services: Facts[] }).services[0]!
  const f = await until(read, x => x.state === 'run' && (x.cgroup as { processes: number } | null)?.processes === 2, { what: 'web with two processes' })
  const leaf = /^cgroup (.*)$/m.exec(readFileSync(join(dir, 'supervise', 'cgroup'), 'utf8'))![1]
  const g = f.cgroup as { path: string, processes: number, cpuSeconds: number, memoryBytes: number }
  t.equal(g.path, leaf)
  t.ok(g.cpuSeconds >= 0 && g.memoryBytes > (f.rssBytes as number), `both processes' memory: ${g.memoryBytes} > ${String(f.rssBytes)}`)
})

t.test('errors and options', async t => {
  const base = t.testdir()
  const r = await sv('ours', ['list'], { env: cleanEnv({ SVDIR: join(base, 'nosuch') }) })
  t.equal(r.code, 100)
  t.equal(r.stderr, `fatal: unable to read directory ${join(base, 'nosuch')}: file does not exist\n`)
  const u = await sv('ours', ['-j', 'status', 'x'], { env: cleanEnv({ SVDIR: base }) })
  t.same([u.code, u.stderr], [100, 'sv: illegal option -- j\nusage: sv [-v] [-w sec] command service ...\n\n'], '-j is list\'s only')
  const empty = await sv('ours', ['-j', 'list'], { env: cleanEnv({ SVDIR: base }) })
  const e = JSON.parse(empty.stdout) as { time: number }
  t.same([empty.code, e], [0, { version: 1, svdir: base, time: e.time, services: [] }], 'an empty SVDIR')
})

t.test('formats and colour', async t => {
  t.same([0, 59, 60, 3599, 3600, 86399, 86400, 200000].map(formatDuration), ['0s', '59s', '1m00s', '59m59s', '1h00m', '23h59m', '1d00h', '2d07h'])
  t.same([0, 1536, 1048576, 12.5 * 1048576, 3 * 1073741824].map(formatBytes), ['0K', '2K', '1.0M', '12.5M', '3.0G'])
  t.equal(wantColour(true, {}), true)
  t.equal(wantColour(false, {}), false)
  t.equal(wantColour(true, { NO_COLOR: '1' }), false)
  t.equal(wantColour(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset (no-color.org)')
  const o: Overview = {
    version: 1,
    svdir: '/s',
    time: 100,
    services: [{
      name: 'a', dir: '/s/a', error: null, state: 'run', pid: 5, since: 90, seconds: 10, paused: false, want: 'up', gotTerm: false,
      normallyUp: true, ready: null, restarts: null, lastExit: null, cpuSeconds: 1.5, rssBytes: 2048, cgroup: null,
      flags: [], log: null
    }]
  }
  t.equal(overviewTable(o, true).split('\n')[1], 'a     \x1b[32mrun  \x1b[0m  5    10s     -         -      1.50s  2K')
  t.equal(overviewTable(o, false), 'NAME  STATE  PID  UPTIME  RESTARTS  READY  CPU    MEM  FLAGS\na     run    5    10s     -         -      1.50s  2K\n')
})
