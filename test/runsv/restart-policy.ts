// The restart policy (runsv(8), RESTART POLICY; not runit's): restart-backoff, normal-exit and
// respawn-limit, with real crash loops. Waits are bounded; the only timing asserted is the order
// of the pauses, which differ by a second or more.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin, killQuietly } from '../helpers/bin.js'
import { sv } from '../helpers/sv.js'
import { needRunit } from '../helpers/runit.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { readStatus } from '../../build/svdir/status-file.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { parseNormalExit, parseRespawnLimit } from '../../build/runsv/restart-policy.js'

const lines = (path: string): string[] => readText(path).split('\n').filter(Boolean)
const starts = (dir: string): number[] => lines(join(dir, 'starts')).map(Number)
const gaps = (s: number[]): number[] => s.slice(1).map((x, i) => x - s[i]!)
const wantDown = (dir: string): boolean => {
  const s = readStatus(servicePaths(dir))
  return s !== 'bad-format' && s.state === 'down' && s.want === 'down'
}
const COUNTED_RUN = 'date +%s.%N >> ./starts; n=$(wc -l < ./starts)'

t.test('the files\' words', async t => {
  t.same(parseNormalExit('0 1 TERM sighup\n'), { normalCodes: [0, 1], normalSignals: [15, 1] })
  t.equal(parseNormalExit('0 NOSUCH'), null)
  t.equal(parseNormalExit('256'), null)
  t.same(parseRespawnLimit('10 5\n'), { count: 10, intervalMs: 5000, retryMs: 0 })
  t.same(parseRespawnLimit('10 5 retry=60'), { count: 10, intervalMs: 5000, retryMs: 60000 })
  t.equal(parseRespawnLimit('unlimited'), null)
  t.equal(parseRespawnLimit('0 5'), null, 'Upstart: a count of 0 is no limit')
  for (const bad of ['10', '10 5 60', 'ten 5', '10 5 retry=', '1 2 3 4']) t.equal(parseRespawnLimit(bad), 'bad', bad)
})

t.test('restart-backoff: pauses double up to the maximum; a run of the maximum starts the series again', async t => {
  // runs 1, 2 and 4 exit at once; run 3 lives 2.5 s, longer than the maximum of 2 s
  const dir = service(t, { run: `${COUNTED_RUN}; [ "$n" -eq 3 ] && sleep 2.5; exit 1` })
  writeFileSync(join(dir, 'restart-backoff'), '2\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  const s = await until(() => starts(dir), l => l.length >= 5, { what: 'five starts', timeout: 20000 })
  const [g1, g2, g3, g4] = gaps(s) as [number, number, number, number]
  t.ok(g2 > g1, `the second pause is longer than the first (${g1.toFixed(2)} s, ${g2.toFixed(2)} s)`)
  t.ok(g4 < g2, `after the long run the pause is 1 s again (${g4.toFixed(2)} s < ${g2.toFixed(2)} s; run 3 took ${g3.toFixed(2)} s)`)
  t.ok(g1 >= 0.9, 'never faster than runit')
})

t.test('restart-backoff: sv up during a pause starts the run at once', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 1` })
  writeFileSync(join(dir, 'restart-backoff'), '600\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  // the pause after the second run is 2 s, the one after the third 4 s: wait for the third
  await until(() => starts(dir), l => l.length >= 3, { what: 'three starts', timeout: 10000 })
  await until(() => stat(dir), x => x === 'down\n', { what: 'down in the 4 s pause' })
  // want is up already: our sv sends the u all the same, to a service with restart-backoff
  t.equal((await sv('ours', ['up', dir])).code, 0)
  await until(() => starts(dir), l => l.length >= 4, { what: 'started by sv up', timeout: 3000 })
  t.pass('sv up did not wait out the pause')
})

t.test('a bad restart-backoff is said in one line, and runit\'s 1 s kept', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 1` })
  writeFileSync(join(dir, 'restart-backoff'), 'soon\n')
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => starts(dir), l => l.length >= 3, { what: 'three starts', timeout: 10000 })
  t.match(runsv.stderr(), `runsv ${runsv.name}: warning: restart-backoff: not a number of seconds: soon\n`)
})

t.test('normal-exit: an exit code in the list keeps the service down, want down', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 3`, finish: 'echo "$@" >> ./finish.log' })
  writeFileSync(join(dir, 'normal-exit'), '0 3 TERM\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => wantDown(dir), w => w, { what: 'down, want down' })
  t.equal(lines(join(dir, 'finish.log'))[0]?.split(' ').slice(0, 2).join(' '), '3 0', './finish ran with runit\'s arguments')
  sendControl(servicePaths(dir), 'u')
  await until(() => starts(dir), l => l.length === 2, { what: 'sv up starts it again' })
  await until(() => wantDown(dir), w => w, { what: 'and it stays down after its next normal exit' })
})

t.test('normal-exit: a signal in the list (by name) keeps it down; another restarts', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exec sleep 1000` })
  writeFileSync(join(dir, 'normal-exit'), 'SIGHUP\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), x => x === 'run\n', { what: 'run' })
  process.kill(pidOf(dir), 'SIGUSR1')
  await until(() => starts(dir), l => l.length === 2, { what: 'restarted after USR1', timeout: 5000 })
  await until(() => stat(dir), x => x === 'run\n', { what: 'run again' })
  process.kill(pidOf(dir), 'SIGHUP')
  await until(() => wantDown(dir), w => w, { what: 'down after HUP' })
  t.equal(starts(dir).length, 2)
})

t.test('respawn-limit: more than COUNT starts in INTERVAL and it stays down; sv up clears it', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 1` })
  writeFileSync(join(dir, 'respawn-limit'), '2 60\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => wantDown(dir), w => w, { what: 'stopped by the limit', timeout: 10000 })
  t.equal(starts(dir).length, 3, 'three starts, one more than the limit')
  sendControl(servicePaths(dir), 'u')
  await until(() => starts(dir), l => l.length >= 4, { what: 'started by u' })
  await until(() => wantDown(dir), w => w, { what: 'stopped again after three more', timeout: 10000 })
  t.equal(starts(dir).length, 6)
})

t.test('respawn-limit retry=: wanted up again after the pause', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 1` })
  writeFileSync(join(dir, 'respawn-limit'), '1 60 retry=1\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => wantDown(dir), w => w, { what: 'stopped by the limit', timeout: 10000 })
  t.equal(starts(dir).length, 2)
  await until(() => starts(dir), l => l.length >= 3, { what: 'retried', timeout: 10000 })
  t.pass('started again without sv up')
})

t.test('sv status says why a service is down; runit\'s sv prints runit\'s line; sv up clears it', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; exit 1`, finish: 'echo "$@" >> ./finish.log' })
  writeFileSync(join(dir, 'respawn-limit'), '2 60\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => wantDown(dir), w => w, { what: 'stopped by the limit', timeout: 10000 })
  const ours = await sv('ours', ['status', dir])
  t.match(ours.stdout, new RegExp(`^down: ${dir}: \\d+s, normally up, respawn limit reached \\(3 starts in 60s\\)\\n$`))
  t.same(lines(join(dir, 'finish.log')), ['1 0', '1 0', '1 0 respawn-limit'], './finish is told why as its third argument')
  if (needRunit().skip === false) {
    const theirs = await sv('runit', ['status', dir])
    t.match(theirs.stdout, new RegExp(`^down: ${dir}: \\d+s, normally up\\n$`), 'runit\'s sv: runit\'s line')
  }
  sendControl(servicePaths(dir), 'u')
  await until(() => starts(dir), l => l.length >= 4, { what: 'started by u' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), x => x === 'down\n', { what: 'down by d' })
  t.match((await sv('ours', ['status', dir])).stdout, new RegExp(`^down: ${dir}: \\d+s, normally up\\n$`), 'told down: runit\'s line only')
})

t.test('normal-exit: sv status by code and by signal; runit\'s sv the same file without it', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; [ "$n" -eq 1 ] && exit 3; exec sleep 1000` })
  writeFileSync(join(dir, 'normal-exit'), '3 HUP\n')
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => wantDown(dir), w => w, { what: 'down after exit 3' })
  t.match((await sv('ours', ['status', dir])).stdout, /, normally up, normal exit \(exit 3\)\n$/)
  sendControl(servicePaths(dir), 'u')
  await until(() => stat(dir), x => x === 'run\n', { what: 'run' })
  process.kill(pidOf(dir), 'SIGHUP')
  await until(() => wantDown(dir), w => w, { what: 'down after HUP' })
  t.match((await sv('ours', ['status', dir])).stdout, /, normally up, normal exit \(signal HUP\)\n$/)
  if (needRunit().skip === false) t.match((await sv('runit', ['status', dir])).stdout, /^down: .*: \d+s, normally up\n$/)
})

// In one-process mode the host killed is runsvdir -1, started again over the same scan dir.
t.test('sv runs: the deaths, newest first, kept across a runsv killed and started again', async t => {
  const dir = service(t, { run: `${COUNTED_RUN}; [ "$n" -le 2 ] && exit 1; exec sleep 1000` })
  writeFileSync(join(dir, 'normal-exit'), 'TERM\n')
  writeFileSync(join(dir, 'max-death-tally'), '3\n')
  const first = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => starts(dir), l => l.length === 3, { what: 'third run', timeout: 10000 })
  await until(() => stat(dir), x => x === 'run\n', { what: 'run' })
  const pid = pidOf(dir)
  killQuietly(first.pid, 'SIGKILL')
  await first.exit
  // the next runsv stops the run left behind (TERM, a normal exit here) before it starts its own
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => starts(dir), l => l.length === 4, { what: 'the next runsv\'s run', timeout: 10000 })
  await until(() => stat(dir), x => x === 'run\n', { what: 'run' })
  t.not(pidOf(dir), pid)
  process.kill(pidOf(dir), 'SIGTERM')
  await until(() => wantDown(dir), w => w, { what: 'down after TERM' })
  const out = (await sv('ours', ['runs', dir])).stdout.split('\n').filter(Boolean)
  t.equal(out.length, 3, 'max-death-tally keeps three')
  t.match(out[0], new RegExp(`^${dir}: \\d+s ago, ran \\d+\\.\\d{3}s, signal TERM, not restarted: normal exit$`))
  t.match(out[2], /, exit 1, restarted$/, 'the oldest kept: the second run, before runsv was killed')
  t.equal((await sv('ours', ['r', dir])).code, 100, 'only the whole word: r alone is a usage error, as in runit')
})
