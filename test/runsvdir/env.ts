// runsvdir starts our runsv with NODE_EXTRA_CA_CERTS held under another name (Node 20 would
// parse the CA bundle at start-up), and the services still get runsvdir's environment.
import t, { type Test } from 'tap'
import { mkdirSync, writeFileSync, readFileSync, existsSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { startRunsvdir, makeService } from './tree.js'
import { LOW, needLowLimit, noteState } from '../helpers/start-state.js'

const HELD = 'RUNIT_TS_HELD_NODE_EXTRA_CA_CERTS'

function environ (pid: number | string): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean)
}

/** Supervises a service that saves its environment; returns it, and runsv's own. */
interface Environments { service: string[], runsv: string[], certs: string }

async function environments (t: Test, runitDir?: string): Promise<Environments> {
  const base = t.testdir()
  const certs = join(base, 'extra.pem')
  writeFileSync(certs, '') // empty: Node loads nothing and says nothing
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(join(base, 'sv'), 'envdump', 'tr "\\0" "\\n" < /proc/$$/environ > env.out\nexec sleep 1000')
  const r = startRunsvdir(t, [scan], { services: [svc], runitDir, env: { NODE_EXTRA_CA_CERTS: certs } })
  symlinkSync(svc, join(scan, 'envdump'))
  await until(() => stat(svc), s => s === 'run\n' && existsSync(join(svc, 'env.out')), { what: 'envdump running' })
  const [runsv] = await until(() => r.runsvs(), l => l.length === 1, { what: 'one runsv' })
  const service = await until(() => readFileSync(join(svc, 'env.out'), 'utf8').split('\n').filter(Boolean), l => l.length > 0, { what: 'env.out' })
  return { service, runsv: environ(runsv!), certs }
}

t.test('our runsv starts without NODE_EXTRA_CA_CERTS; its service gets it back, as runsvdir had it', async t => {
  const { service, runsv, certs } = await environments(t)
  t.notOk(runsv.some(v => v.startsWith('NODE_EXTRA_CA_CERTS=')), 'runsv\'s own environment lacks it')
  t.ok(runsv.includes(`${HELD}=${certs}`), 'runsv holds it under the other name')
  t.same(service.filter(v => v.startsWith('NODE_EXTRA_CA_CERTS=')), [`NODE_EXTRA_CA_CERTS=${certs}`], 'the service has it, once')
  t.notOk(service.some(v => v.startsWith(`${HELD}=`)), 'and not the held name')
})

t.test('runit\'s runsv on PATH gets the environment unchanged', needRunit(), async t => {
  const { service, runsv, certs } = await environments(t, RUNIT_DIR)
  t.ok(runsv.includes(`NODE_EXTRA_CA_CERTS=${certs}`), 'runit\'s runsv has it')
  t.same(service.filter(v => v.startsWith('NODE_EXTRA_CA_CERTS=')), [`NODE_EXTRA_CA_CERTS=${certs}`], 'so has the service')
  t.notOk([...runsv, ...service].some(v => v.startsWith(`${HELD}=`)), 'nobody sees the held name')
})

/** The open-files soft limit and SigIgn mask the service saw, runsvdir started under `ulimit -Sn
 * 1000` with INT, QUIT, HUP and TERM ignored (a shell's `&` ignores INT and QUIT). */
async function startState (t: Test, runit: boolean): Promise<string> {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(join(base, 'sv'), 'state', `${noteState('state')}\nexec sleep 1000`)
  symlinkSync(svc, join(scan, 'state'))
  startRunsvdir(t, [scan], {
    services: [svc],
    startedWith: LOW,
    ...(runit ? { runitDir: RUNIT_DIR, exe: join(RUNIT_DIR, 'runsvdir') } : {})
  })
  return await until(() => existsSync(join(svc, 'state')) ? readFileSync(join(svc, 'state'), 'utf8') : '', s => s !== '', { what: 'state' })
}


t.test('through runsvdir and runsv, the service gets the limit and INT and QUIT ignored, as under runit', needLowLimit, async t => {
  t.equal(await startState(t, false), '1000 0000000000000006\n', 'ours (HUP and TERM are caught by the supervisors)')
})

t.test('runit\'s runsvdir and runsv give the same', { ...needRunit(), ...(needLowLimit.skip === false ? {} : needLowLimit) }, async t => {
  t.equal(await startState(t, true), '1000 0000000000000006\n')
})
