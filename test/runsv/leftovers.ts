// A run left behind by a runsv that died is stopped by the next runsv before it starts its own,
// and only when supervise/ shows it is that very run.
import t from 'tap'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { startBin, perProcessOnly, killQuietly } from '../helpers/bin.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { processStartSeconds } from '../../build/os/proc.js'
import { encodeStatus } from '../../build/protocol/status.js'
import { taiNow } from '../../build/protocol/tai64.js'
import { cleanEnv } from '../helpers/clean-env.js'

const gone = (pid: number): boolean => processStartSeconds(pid) === null

t.test('the next runsv stops what the killed one left running, then starts one run', perProcessOnly, async t => {
  const dir = service(t, { run: 'echo $$ >> ./pids; exec sleep 1000' })
  const first = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat run' })
  const orphan = pidOf(dir)
  t.teardown(() => { killQuietly(orphan, 'SIGKILL') })
  // supervise/pid names the run as it is spawned; its shell writes ./pids a moment later.
  const starts = (): string[] => readText(join(dir, 'pids')).split('\n').filter(Boolean)
  await until(starts, l => l.includes(String(orphan)), { what: 'the first run\'s line in ./pids' })
  process.kill(first.pid, 'SIGKILL')
  await first.exit
  t.notOk(gone(orphan), 'KILL to runsv leaves its run running')
  const second = startBin(t, 'runsv', [dir], { services: [dir] })
  const fresh = await until(() => pidOf(dir), p => p > 0 && p !== orphan, { what: 'a new run' })
  t.ok(gone(orphan), 'stopped before the new run started')
  await until(starts, l => l.includes(String(fresh)), { what: 'the new run\'s line in ./pids' })
  t.same(starts(), [String(orphan), String(fresh)], 'two starts in all, one at a time')
  const said = `runsv ${second.name}: warning: ./run left running by an earlier runsv (pid ${orphan}): stopping it\n`
  t.equal(await until(() => second.stderr(), e => e.includes(said), { what: 'the warning' }), said)
})

t.test('a pid in supervise/ that is not the recorded run is left alone', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  const other = spawn('sleep', ['1000'], { env: cleanEnv(), stdio: 'ignore' })
  t.teardown(() => { other.kill('SIGKILL') })
  // A record of a run of that pid an hour ago: the pid was reused since.
  mkdirSync(join(dir, 'supervise'))
  writeFileSync(join(dir, 'supervise', 'pid'), `${other.pid!}\n`)
  const hourAgo = taiNow(Date.now() - 3_600_000)
  writeFileSync(join(dir, 'supervise', 'status'), encodeStatus({ when: hourAgo, pid: other.pid!, paused: false, want: 'up', gotTerm: false, state: 'run' }))
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => pidOf(dir), p => p > 0 && p !== other.pid, { what: 'a new run' })
  t.notOk(gone(other.pid!), 'the other process still runs')
  t.equal(runsv.stderr(), '', 'nothing said')
})
