// runit's C sv on services kept by our runsv's restart policy (runsv(8), RESTART POLICY): it
// prints runit's line in every state; ours prints the same line, and the reason after it only
// when the policy keeps the service down.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin } from '../helpers/bin.js'
import { service, stat, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sv, mask } from '../helpers/sv.js'
import { needRunit } from '../helpers/runit.js'
import { readStatus } from '../../build/svdir/status-file.js'
import { servicePaths } from '../../build/svdir/layout.js'

const starts = (dir: string): number => readText(join(dir, 'starts')).split('\n').filter(Boolean).length
const wantDown = (dir: string): boolean => {
  const s = readStatus(servicePaths(dir))
  return s !== 'bad-format' && s.state === 'down' && s.want === 'down'
}

/** Both svs' status of dir, masked; retried until both saw the same record (ages may tick). */
async function both (dir: string): Promise<{ ours: string, theirs: string }> {
  return await until(async () => {
    const ours = mask((await sv('ours', ['status', dir])).stdout)
    const theirs = mask((await sv('runit', ['status', dir])).stdout)
    return { ours, theirs }
  }, r => r.ours.startsWith(r.theirs.replace(/\n$/, '')), { what: 'the same record' })
}

t.test('each state of the policy: runit\'s line from runit\'s sv; ours adds only the reason', needRunit(), async t => {
  t.test('running, with every policy file', async t => {
    const dir = service(t, { run: 'echo x >> ./starts; exec sleep 1000' })
    writeFileSync(join(dir, 'restart-backoff'), '60\n')
    writeFileSync(join(dir, 'respawn-limit'), '5 60\n')
    writeFileSync(join(dir, 'normal-exit'), '0\n')
    startBin(t, 'runsv', [dir], { services: [dir] })
    await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
    const { ours, theirs } = await both(dir)
    t.equal(ours, theirs)
  })

  t.test('in a backoff pause (down, want up)', async t => {
    const dir = service(t, { run: 'echo x >> ./starts; exit 1' })
    writeFileSync(join(dir, 'restart-backoff'), '60\n')
    startBin(t, 'runsv', [dir], { services: [dir] })
    await until(() => starts(dir), n => n >= 3, { what: 'three starts', timeout: 10000 })
    await until(() => stat(dir), s => s === 'down\n', { what: 'in the 4 s pause' })
    const { ours, theirs } = await both(dir)
    t.match(theirs, /^down: .*: Ns, normally up, want up\n$/)
    t.equal(ours, theirs)
  })

  const kept: Array<[string, (dir: string) => void, string, RegExp]> = [
    ['normal exit', dir => { writeFileSync(join(dir, 'normal-exit'), '1\n') }, '', /, normal exit \(exit 1\)\n$/],
    ['respawn limit', dir => { writeFileSync(join(dir, 'respawn-limit'), '1 60\n') }, '', /, respawn limit reached \(2 starts in 60s\)\n$/],
    ['./finish 125', () => {}, 'exit 125', /, \.\/finish exited 125\n$/]
  ]
  for (const [what, files, finish, reason] of kept) {
    t.test(`kept down by ${what}`, async t => {
      const dir = service(t, { run: 'echo x >> ./starts; exit 1', finish })
      files(dir)
      startBin(t, 'runsv', [dir], { services: [dir] })
      await until(() => wantDown(dir), w => w, { what: 'down, want down', timeout: 10000 })
      const { ours, theirs } = await both(dir)
      t.match(theirs, /^down: .*: Ns, normally up\n$/, 'runit\'s line')
      t.match(ours, reason)
      t.equal(ours.replace(reason, '\n'), theirs, 'ours: the same line, then the reason')
    })
  }
})
