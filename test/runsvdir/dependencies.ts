// ./dependencies (runsv(8), DEPENDENCIES): a chain web -> api -> db started in order from one scan,
// in both of runsvdir's modes, with db's readiness in between; sv status shows the wait; a cycle
// is said and does not deadlock; a missing name is said and waited for.
import t from 'tap'
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runBin } from '../helpers/bin.js'
import { stat, script, shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startRunsvdir } from './tree.js'

function svc (scan: string, name: string, run: string, deps?: string): string {
  const dir = join(scan, name)
  mkdirSync(dir)
  script(join(dir, 'run'), run)
  if (deps !== undefined) writeFileSync(join(dir, 'dependencies'), deps)
  return dir
}

const order = (base: string): string => { try { return readFileSync(join(base, 'order'), 'utf8') } catch { return '' } }

for (const mode of [[], ['-1']]) {
  t.test(`a chain starts in order, waiting for readiness (runsvdir ${mode.join('') || 'with runsv processes'})`, async t => {
    const base = t.testdir()
    const scan = join(base, 'service')
    mkdirSync(scan)
    const note = `echo $(basename "$PWD") >> ${shq(join(base, 'order'))}`
    const web = svc(scan, 'web', `${note}; exec sleep 1000`, 'api\n')
    // Ready once it has noted its start: without notification-fd it would be ready at once,
    // and web's line could come before its own.
    const api = svc(scan, 'api', `${note}; echo >&3; exec sleep 1000`, '# the API needs its database\ndb\n')
    writeFileSync(join(api, 'notification-fd'), '3\n')
    const db = svc(scan, 'db', `${note}; while [ ! -e ./go ]; do sleep 0.05; done; echo >&3; exec sleep 1000`)
    writeFileSync(join(db, 'notification-fd'), '3\n')
    startRunsvdir(t, [...mode, scan], { services: [web, api, db] })
    await until(() => stat(db), s => s === 'run\n', { what: 'db runs' })
    const st = await until(async () => (await runBin('sv', ['status', web, api], { cwd: scan })).stdout,
      s => s.includes('waiting for api') && s.includes('waiting for db (not ready)'), { what: 'sv status' })
    t.match(st, /^down: .*web: \d+s, normally up, want up; waiting for api \((down|not ready)\)\ndown: .*api: \d+s, normally up, want up; waiting for db \(not ready\)\n$/)
    t.equal(order(base), 'db\n', 'only db started')
    writeFileSync(join(db, 'go'), '')
    await until(() => stat(web), s => s === 'run\n', { what: 'web runs' })
    t.equal(await until(() => order(base), o => o.split('\n').length > 3, { what: 'order' }), 'db\napi\nweb\n', 'in dependency order')
    t.match((await runBin('sv', ['status', web])).stdout, /^run: .*web: \(pid \d+\) \d+s\n$/, 'runit\'s line alone once up')
  })
}

t.test('a cycle is said and both start; a missing name is said and waited for', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const a = svc(scan, 'a', 'exec sleep 1000', 'b\n')
  const b = svc(scan, 'b', 'exec sleep 1000', 'a\n')
  const c = svc(scan, 'c', 'exec sleep 1000', 'later\n')
  const r = startRunsvdir(t, ['-1', scan], { services: [a, b, c] })
  await until(() => stat(a) + stat(b), s => s === 'run\nrun\n', { what: 'a and b run' })
  const cycle = /runsv [ab]: warning: dependencies: cycle [ab] -> [ab] -> [ab]: not waiting for [ab]\n/
  t.match(await until(() => r.stderr(), e => cycle.test(e), { what: 'cycle said' }), cycle)
  await until(() => r.stderr(), e => e.includes('runsv c: warning: dependencies: later: no such service\n'), { what: 'missing said' })
  t.equal(stat(c), 'down\n')
  t.match((await runBin('sv', ['status', c])).stdout, /; waiting for later \(no such service\)\n$/)
  svc(scan, 'later', 'exec sleep 1000')
  await until(() => stat(c), s => s === 'run\n', { what: 'c runs once later does' })
})

t.test('NAME bind: NAME\'s stop waits for the bound service to stop; it follows NAME back up', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const note = (what: string): string => `echo ${what} $(basename "$PWD") >> ${shq(join(base, 'order'))}`
  // the trap in double quotes: shq's single quotes stay quotes when it runs
  const run = `${note('start')}; trap "${note('stop')}; exit 0" TERM; exec 3>&-; while :; do sleep 0.05; done`
  const web = svc(scan, 'web', run, 'db bind\n')
  const db = svc(scan, 'db', run)
  startRunsvdir(t, ['-1', scan], { services: [web, db] })
  await until(() => stat(web) + stat(db), s => s === 'run\nrun\n', { what: 'both run' })
  await until(() => order(base), o => o.split('\n').length > 2, { what: 'both started' })
  const down = await runBin('sv', ['-w', '5', 'down', db])
  t.equal(down.code, 0)
  t.equal(await until(() => order(base), o => o.includes('stop db'), { what: 'db stopped' }), 'start db\nstart web\nstop web\nstop db\n', 'web stops before db')
  // (after the one-second spacing when web ran less than a second)
  const st = await until(async () => (await runBin('sv', ['status', web])).stdout, s => s.includes('waiting'), { what: 'status' })
  t.match(st, /^down: .*web: \d+s, normally up, want up; waiting for db \(down\)\n$/)
  t.equal((await runBin('sv', ['-w', '5', 'up', db])).code, 0)
  await until(() => stat(web), s => s === 'run\n', { what: 'web follows db up' })
  t.match(await until(() => order(base), o => o.endsWith('start web\n') && o.split('\n').length > 6, { what: 'order' }), /stop db\nstart db\nstart web\n$/)
})
