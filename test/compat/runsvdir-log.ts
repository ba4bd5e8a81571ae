// runsvdir's readproctitle log and Debian's SIGALRM stamp, runit's C binary against ours.
import t, { type Test } from 'tap'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { startRunsvdir, makeService, cmdline } from '../runsvdir/tree.js'

const LOG = 'log: ' + '.'.repeat(40)

/** The window: what follows the directory in the command line (runit: after a NUL). */
async function window (t: Test, runit: boolean): Promise<string> {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc', 'echo "boom from svc" >&2\nexec sleep 1000')
  const r = startRunsvdir(t, [scan, LOG], runit ? { exe: runitBin('runsvdir'), runitDir: RUNIT_DIR, services: [svc] } : { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  const line = await until(() => cmdline(r.pid), s => s.includes('boom from svc\n'), { what: 'cmdline' })
  const at = line.indexOf(scan) + scan.length + 1
  return line.slice(at).replace(/\0+$/, '')
}

t.test('the service\'s stderr scrolls into the title the same way', needRunit(), async t => {
  const runit = await window(t, true)
  const ours = await window(t, false)
  t.equal(ours, runit, JSON.stringify(runit))
  t.equal(runit.length, LOG.length, 'the window keeps the argument\'s length')
})

async function forced (t: Test, runit: boolean): Promise<string> {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  const svc = makeService(scan, 'svc')
  const r = startRunsvdir(t, [scan], runit ? { exe: runitBin('runsvdir'), runitDir: RUNIT_DIR, services: [svc] } : { services: [svc] })
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  process.kill(r.pid, 'SIGALRM')
  const text = await until(() => readFileSync(join(scan, '.forced-rescan'), 'latin1'), s => s.length > 0, { what: 'stamp', timeout: 8000 })
  t.equal(r.child.exitCode, null, 'still running')
  return text.replace(/^@4[0-9a-f]{23}$/, '@TAI64N')
}

t.test('SIGALRM writes the same ./.forced-rescan', needRunit(), async t => {
  const runit = await forced(t, true)
  const ours = await forced(t, false)
  t.equal(ours, runit)
  t.equal(runit, '@TAI64N')
})
