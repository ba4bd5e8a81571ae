// -m -d -o -p -f -c -r -t and softlimit: soft limits as the program reads them in /proc/$$/limits.
import t from 'tap'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseLimits, UNLIMITED, type Rlimit } from '../../build/os/limits.js'
import { asNobody, isRoot, persona, programPid, runChpst, startChpst } from '../helpers/chpst.js'
import { publicDir } from '../helpers/public-dir.js'
import { shq } from '../helpers/svdir.js'

const READ = 'cat /proc/$$/limits'
const own = parseLimits(readFileSync('/proc/self/limits', 'utf8'))
const hard = (r: Rlimit): bigint => own[r]?.hard ?? UNLIMITED

/** A value below the hard limit (so nothing is clamped), different from the current soft one. */
function below (r: Rlimit, wanted: bigint): bigint {
  const h = hard(r)
  const v = wanted < h ? wanted : h - 1n
  return v === own[r]?.soft ? v - 1n : v
}

interface Seen { limits: Partial<Record<Rlimit, bigint>>, stderr: string, code: number | null }

async function softLimits (args: string[], exe?: string): Promise<Seen> {
  const r = await runChpst([...args, 'sh', '-c', READ], { exe })
  const parsed = parseLimits(r.stdout)
  const limits: Partial<Record<Rlimit, bigint>> = {}
  for (const [k, v] of Object.entries(parsed)) limits[k as Rlimit] = v.soft
  return { limits, stderr: r.stderr, code: r.code }
}

t.test('each chpst limit option sets that soft limit, hard limits untouched', async t => {
  const cases: Array<[string, Rlimit[], bigint]> = [
    ['-d', ['data'], below('data', 300000000n)],
    ['-o', ['nofile'], below('nofile', 77n)],
    ['-p', ['nproc'], below('nproc', 500n)],
    ['-f', ['fsize'], below('fsize', 123456789n)],
    ['-c', ['core'], below('core', 4096000n)],
    ['-r', ['rss'], below('rss', 200000000n)],
    ['-t', ['cpu'], below('cpu', 3600n)],
    ['-m', ['data', 'stack', 'memlock', 'as'], [below('data', 5000000n), below('stack', 5000000n), below('memlock', 5000000n), below('as', 500000000n)].reduce((a, b) => a < b ? a : b)]
  ]
  for (const [opt, resources, value] of cases) {
    const r = await softLimits([opt, String(value)])
    t.equal(r.code, 0, opt)
    t.equal(r.stderr, '', `${opt}: nothing to say`)
    for (const res of resources) t.equal(r.limits[res], value, `${opt} sets ${res}`)
  }
  const after = parseLimits((await runChpst(['-o', '77', 'sh', '-c', READ])).stdout)
  t.equal(after.nofile?.hard, hard('nofile'), 'hard limit unchanged')
})

t.test('a later option overrides part of -m', async t => {
  const v = below('as', 400000000n)
  const d = below('data', 200000000n)
  const r = await softLimits(['-m', String(v), '-d', String(d)])
  t.equal(r.limits.data, d)
  t.equal(r.limits.as, v)
})

t.test('a value above the hard limit is capped at it, silently as runit does', { skip: hard('nofile') === UNLIMITED ? 'nofile has no hard limit here' : false }, async t => {
  const r = await softLimits(['-o', String(hard('nofile') + 1000n)])
  t.equal(r.code, 0)
  t.equal(r.limits.nofile, hard('nofile'))
  t.equal(r.stderr, '', 'nothing said (runit-services\' dhclient/run uses chpst -m12000000 at every start)')
})

t.test('softlimit personality: its letters, and = for "as high as the hard limit"', async t => {
  const softlimit = persona(t.testdir(), 'softlimit')
  const r = await softLimits(['-a', String(below('as', 900000000n)), '-l', String(below('memlock', 4096n)), '-s', String(below('stack', 2000000n)), '-o', String(below('nofile', 99n))], softlimit)
  t.equal(r.code, 0)
  t.equal(r.limits.as, below('as', 900000000n))
  t.equal(r.limits.memlock, below('memlock', 4096n))
  t.equal(r.limits.stack, below('stack', 2000000n))
  t.equal(r.limits.nofile, below('nofile', 99n))
  const eq = await softLimits(['-s', '=', '-o', '='], softlimit)
  t.equal(eq.limits.stack, hard('stack'))
  t.equal(eq.limits.nofile, hard('nofile'))
})

t.test('limits apply to the program, never to a relaying chpst', async t => {
  const c = startChpst(t, ['-o', '5', '-t', '100', 'sleep', '1000'])
  const pid = await programPid(c.pid, 'sleep')
  const program = parseLimits(readFileSync(`/proc/${pid}/limits`, 'utf8'))
  t.equal(program.nofile?.soft, 5n)
  t.equal(program.cpu?.soft, 100n)
  if (pid !== c.pid) {
    const relay = parseLimits(readFileSync(`/proc/${c.pid}/limits`, 'utf8'))
    t.equal(relay.nofile?.soft, own.nofile?.soft, 'the relay keeps its own limits')
    t.equal(relay.cpu?.soft, own.cpu?.soft)
  }
  c.child.kill('SIGTERM')
  await c.exit
})

t.test('as nobody', { skip: isRoot ? false : 'needs root' }, async t => {
  const r = await runChpst(asNobody(t, '-o', '50', '-c', '0', 'sh', '-c', `id -u; ${READ}`))
  t.match(r.stdout, /^65534\n/)
  const l = parseLimits(r.stdout)
  t.equal(l.nofile?.soft, 50n)
  t.equal(l.core?.soft, 0n)
  // nobody writes there: a public directory (the clone's may be closed to others).
  const dir = publicDir(t)
  chmodSync(dir, 0o777)
  t.equal((await runChpst(['-u', 'nobody', '-f', '10', 'sh', '-c', `printf 123456789012345 > ${shq(join(dir, 'f'))}`])).signal, 'SIGXFSZ', 'the program meets its own limit')
})
