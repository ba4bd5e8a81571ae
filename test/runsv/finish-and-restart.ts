// ./finish gets runit's two arguments; restarts keep runit's one-second spacing.
import t from 'tap'
import { join } from 'node:path'
import { chmodSync } from 'node:fs'
import { startBin } from '../helpers/bin.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until, sleep } from '../helpers/until.js'
import { readStatus } from '../../build/svdir/status-file.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

const lines = (path: string): string[] => readText(path).split('\n').filter(Boolean)

t.test('finish gets the exit code and 0 after a normal exit', async t => {
  const dir = service(t, { run: 'sleep 0.2; exit 3', finish: 'echo "$@" >> ./finish.log' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => lines(join(dir, 'finish.log')), l => l.length >= 1, { what: 'finish.log' })
  t.equal(lines(join(dir, 'finish.log'))[0], '3 0')
})

t.test('finish gets -1 and the signal after a TERM, with stat finish, want down meanwhile', async t => {
  const dir = service(t, { run: 'exec sleep 1000', finish: 'echo "$@" >> ./finish.log; sleep 0.5' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'finish, want down\n', { what: 'stat' })
  t.ok(pidOf(dir) > 0, 'pid names finish while it runs')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
  t.equal(lines(join(dir, 'finish.log'))[0], '-1 15')
})

t.test('a run that cannot start: runit\'s message, finish gets 111 0, retried every second', async t => {
  const dir = service(t, { run: 'exit 0', finish: 'echo "$@" >> ./finish.log' })
  chmodSync(join(dir, 'run'), 0o644)
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => lines(join(dir, 'finish.log')), l => l.length >= 2, { what: 'finish.log', timeout: 6000 })
  t.equal(lines(join(dir, 'finish.log'))[0], '111 0')
  t.match(runsv.stderr(), `runsv ${runsv.name}: fatal: unable to start ./run: access denied\n`)
})

t.test('one-second rule: a run that exits at once is restarted no faster than once a second', async t => {
  const dir = service(t, { run: 'date +%s.%N >> ./starts; exit 0' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const starts = await until(() => lines(join(dir, 'starts')).map(Number), l => l.length >= 3, { what: 'starts', timeout: 8000 })
  for (let i = 1; i < starts.length; i++) {
    // The spacing is the behaviour under test; 0.9 s leaves margin for clock grain.
    t.ok(starts[i]! - starts[i - 1]! >= 0.9, `restart ${i} spaced ${(starts[i]! - starts[i - 1]!).toFixed(3)} s`)
  }
})

t.test('control letters are obeyed during the restart delay (runit sleeps deaf)', async t => {
  // runit would only read the d after its one-second sleep, restart first, then stop. The test
  // means something only when the d is sent inside that second, which a loaded machine may miss:
  // the down status's own stamp tells, and a late attempt is repeated in a fresh service.
  for (let attempt = 1; attempt <= 5; attempt++) {
    const dir = service(t, { run: 'echo x >> ./starts; exit 0' })
    startBin(t, 'runsv', [dir], { services: [dir] })
    // status first, then starts: a down status seen with a start already counted is run's exit
    const { down, before } = await until(() => ({ down: readStatus(servicePaths(dir)), before: lines(join(dir, 'starts')).length }),
      v => v.down !== 'bad-format' && v.down.state === 'down' && v.before >= 1, { what: 'down after a start' })
    if (down === 'bad-format' || Date.now() - (down.when.sec * 1000 + down.when.nano / 1e6) > 800) {
      t.comment(`attempt ${attempt}: too late to send the d inside the delay; again`)
      continue
    }
    sendControl(servicePaths(dir), 'd')
    await until(() => readStatus(servicePaths(dir)), s => s !== 'bad-format' && s.want === 'down', { what: 'want' })
    await sleep(1500) // the delay is the behaviour under test: wait past it
    t.equal(lines(join(dir, 'starts')).length, before, 'the pending restart was cancelled')
    return
  }
  t.fail('could not send the d inside the one-second delay in 5 attempts')
})

t.test('a run that lived a second is restarted at once', async t => {
  const dir = service(t, { run: 'date +%s.%N >> ./starts; sleep 1.2; exit 0' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => lines(join(dir, 'starts')).length, n => n >= 2, { what: 'starts', timeout: 6000 })
  const [a, b] = lines(join(dir, 'starts')).map(Number)
  t.ok(b! - a! < 2.0, 'no extra second of delay')
})

t.test('down file: stays down until u', async t => {
  const dir = service(t, { run: 'exec sleep 1000', down: true })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
  t.equal(pidOf(dir), 0)
  sendControl(servicePaths(dir), 'u')
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
})
