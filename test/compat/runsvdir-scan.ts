// What runsvdir supervises and how it ends, runit's C binary against ours: the same tree, the
// same signals, normalised observations compared.
import t, { type Test } from 'tap'
import { mkdirSync, writeFileSync, symlinkSync, unlinkSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { alive } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { startRunsvdir, makeService, type RunsvdirRun, exited, cmdline } from '../runsvdir/tree.js'

interface Tree { base: string, scan: string, real: string, hidden: string, shared: string }

function tree (t: Test): Tree {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const real = makeService(scan, 'real')
  const hidden = makeService(scan, '.hidden')
  const shared = makeService(join(base, 'sv'), 'shared')
  symlinkSync(shared, join(scan, 'one'))
  symlinkSync(shared, join(scan, 'two'))
  writeFileSync(join(scan, 'plain'), '')
  symlinkSync(join(scan, 'plain'), join(scan, 'tofile'))
  symlinkSync(join(base, 'nowhere'), join(scan, 'dangling'))
  return { base, scan, real, hidden, shared }
}

async function start (t: Test, runit: boolean, x: Tree): Promise<RunsvdirRun> {
  const r = startRunsvdir(t, [x.scan], runit ? { exe: runitBin('runsvdir'), runitDir: RUNIT_DIR } : {})
  await until(() => stat(x.real) + stat(x.shared), s => s === 'run\nrun\n', { what: 'stats', timeout: 8000 })
  await until(() => r.stderr(), s => s.includes('dangling'), { what: 'stderr', timeout: 8000 })
  return r
}

/** Distinct stderr lines, paths normalised. */
const said = (r: RunsvdirRun, x: Tree): string[] => [...new Set(r.stderr().split(x.base).join('BASE').split('\n'))].filter(l => l !== '')

async function scanAndHup (t: Test, runit: boolean): Promise<unknown[]> {
  const x = tree(t)
  const r = await start(t, runit, x)
  const runsvs = await until(() => r.runsvs(), l => l.length >= 2, { what: 'runsvs' })
  const out: unknown[] = [
    `runsvs: ${runsvs.length}`,
    `.hidden supervised: ${existsSync(join(x.hidden, 'supervise'))}`,
    ...said(r, x)
  ]
  // Removal: both names of the shared directory go; its runsv stops (runit: at the next scan).
  const sharedRunsv = runsvs.length
  unlinkSync(join(x.scan, 'one'))
  unlinkSync(join(x.scan, 'two'))
  await until(() => r.runsvs().length, n => n === sharedRunsv - 1, { what: 'runsvs after removal', timeout: 8000 })
  out.push('removed: one runsv fewer')
  process.kill(r.pid, 'SIGHUP')
  const [code] = await exited(r)
  out.push(`HUP: exit ${String(code)}`)
  await until(() => runsvs.filter(alive), l => l.length === 0, { what: 'runsvs alive' })
  out.push('HUP: every runsv gone')
  return out
}

t.test('the same tree: same services, same warnings; removal; HUP', needRunit(), async t => {
  const runit = await scanAndHup(t, true)
  const ours = await scanAndHup(t, false)
  t.same(ours, runit, JSON.stringify(runit))
})

async function term (t: Test, runit: boolean): Promise<unknown[]> {
  const x = tree(t)
  const r = await start(t, runit, x)
  const runsvs = await until(() => r.runsvs(), l => l.length >= 2, { what: 'runsvs' })
  process.kill(r.pid, 'SIGTERM')
  const [code] = await exited(r)
  return [`TERM: exit ${String(code)}`, `runsvs alive: ${runsvs.filter(alive).length} of ${runsvs.length}`]
}

t.test('TERM: exit 0, the runsvs stay', needRunit(), async t => {
  const runit = await term(t, true)
  const ours = await term(t, false)
  t.same(ours, runit, JSON.stringify(runit))
})

/** The name the runsv of a directory with ten links to it runs under (its last argument). */
async function chosenName (t: Test, runit: boolean): Promise<string> {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const shared = makeService(join(base, 'sv'), 'shared')
  for (let i = 0; i < 10; i++) symlinkSync(shared, join(scan, `n${i}`))
  const r = startRunsvdir(t, [scan], runit ? { services: [shared], exe: runitBin('runsvdir'), runitDir: RUNIT_DIR } : { services: [shared] })
  await until(() => stat(shared), s => s === 'run\n', { what: 'stat', timeout: 8000 })
  const [runsv] = await until(() => r.runsvs(), l => l.length === 1, { what: 'runsvs' })
  return cmdline(runsv!).replace(/\0+$/, '').split('\0').at(-1)!
}

t.test('ten names for one directory: the runsv gets the same one (readdir order)', needRunit(), async t => {
  const runit = await chosenName(t, true)
  const ours = await chosenName(t, false)
  t.equal(ours, runit, `runit chose ${runit}`)
})
