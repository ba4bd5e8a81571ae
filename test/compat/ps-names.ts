// What ps shows of a runsvdir tree, runit's C binaries against ours: the same process names and
// command lines (argv[0] of runsvdir aside: the tests start runit's by its path, ours shows the
// bare name), with the log argument scrolling in place.
import t, { type Test } from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { argvOf, commOf } from '../helpers/ps.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { startRunsvdir, makeService } from '../runsvdir/tree.js'

const LOG = 'log: ' + '.'.repeat(20)

interface Seen {
  runsvdir: { comm: string, args: string[], ps: string }
  runsv: { comm: string, argv: string[], ps: string }
}

/** What ps shows in its comm and args columns; the start of args, argv[0], as `argv0` when given
 * (it may hold spaces: the checkout's path). */
function ps (pid: number, argv0?: string): string {
  const column = (c: string): string => execFileSync('ps', ['-o', `${c}=`, '-p', String(pid)], { env: cleanEnv(), encoding: 'latin1' }).trim()
  const args = column('args')
  const [first] = argvOf(pid)
  return `${column('comm')} ${argv0 !== undefined && first !== undefined && args.startsWith(first) ? argv0 + args.slice(first.length) : args}`
}

async function seen (t: Test, runit: boolean): Promise<Seen> {
  const scan = join(t.testdir(), 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc', 'echo "boom" >&2\nexec sleep 1000')
  const r = startRunsvdir(t, ['-P', scan, LOG], runit ? { exe: runitBin('runsvdir'), runitDir: RUNIT_DIR, services: [svc] } : { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  await until(() => argvOf(r.pid), a => a[3]?.endsWith('boom\n') === true, { what: 'argv' })
  const [runsv] = await until(() => r.runsvs(), l => l.length === 1, { what: 'runsvs' })
  return {
    runsvdir: {
      comm: commOf(r.pid),
      args: argvOf(r.pid).slice(1).map(a => a.replace(scan, 'SCAN')),
      ps: ps(r.pid, 'ARGV0').replace(scan, 'SCAN')
    },
    runsv: { comm: commOf(runsv!), argv: argvOf(runsv!), ps: ps(runsv!) }
  }
}

t.test('ps, pidof and pgrep see the same names and command lines as under runit', needRunit(), async t => {
  const runit = await seen(t, true)
  const ours = await seen(t, false)
  t.same(ours, runit, JSON.stringify(runit))
  t.equal(runit.runsv.comm, 'runsv')
  t.same(runit.runsv.argv, ['runsv', 'svc'])
})
