// sv wait EVENT and sv events (sv(8)): waits that end at the event or at -w with runit's timeout
// line, and the event stream as JSON lines.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin, runBin, ONE_PROCESS, BIN } from '../helpers/bin.js'
import { service, stat, pidOf, shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'

t.test('sv wait for each event, and its timeout', async t => {
  const dir = service(t, { run: 'exec sleep 1000', finish: 'exit 0', down: true })
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  // States already reached answer at once.
  t.equal((await runBin('sv', ['-w', '5', 'wait', 'down', dir])).code, 0, 'down: already')
  const late = await runBin('sv', ['-w', '0', 'wait', 'started', dir])
  t.equal(late.code, 1)
  t.match(late.stdout, /^timeout: down: .*svc: \d+s\n$/, 'runit\'s timeout line')

  const control = (c: string): void => { writeFileSync(join(dir, 'supervise', 'control'), c) }
  for (const [event, letter] of [['starting', 'u'], ['stopping', 'd'], ['started', 'u'], ['stopped', 'd'], ['ready', 'u'], ['finished', 'd'], ['exit', 'x']] as const) {
    const waiting = runBin('sv', ['-w', '10', 'wait', event, dir])
    // The waiter is listening once its FIFO is there.
    await until(() => spawnedListeners(dir), n => n > 0, { what: `${event}: listening` })
    control(letter)
    const r = await waiting
    t.equal(r.code, 0, `${event}: exit 0`)
    t.equal(r.stdout, '', `${event}: says nothing`)
    if (letter === 'u') await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
    else if (letter === 'd') await until(() => stat(dir), s => s.startsWith('down'), { what: 'down' })
  }
  if (!ONE_PROCESS) {
    await runsv.exit
    t.equal((await runBin('sv', ['-w', '0', 'wait', 'exit', dir])).code, 0, 'exit: already')
  }
  const bad = await runBin('sv', ['wait', 'sleeping', dir])
  t.equal(bad.code, 100)
  t.match(bad.stderr, /^sv: unknown event: sleeping\nusage: /)
})

function spawnedListeners (dir: string): number {
  try {
    return (process.getBuiltinModule('node:fs').readdirSync(join(dir, 'supervise', 'event'))).length
  } catch {
    return 0
  }
}

t.test('sv events: JSON lines with Upstart\'s fields', async t => {
  const base = t.testdir()
  const dir = service({ testdir: () => base, teardown: t.teardown.bind(t) }, { name: 'web@eight', run: 'exec sleep 1000' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const ev = startBin(t, 'sv', ['events', 'web@eight'], { env: cleanEnv({ SVDIR: base }) })
  await until(() => spawnedListeners(dir), n => n > 0, { what: 'listening' })
  const pid = pidOf(dir)
  process.kill(pid, 'SIGKILL')
  await until(() => ev.stdout().split('\n').length, n => n > 4, { what: 'events' })
  writeFileSync(join(dir, 'supervise', 'control'), 'd')
  await until(() => ev.stdout(), s => s.includes('"down"'), { what: 'down' })
  ev.child.kill('SIGTERM')
  t.same(await ev.exit, [0, null], 'a signal ends it, exit 0')
  const lines = ev.stdout().trimEnd().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  t.same(lines.map(l => l.event), ['stopped', 'starting', 'started', 'ready', 'stopping', 'stopped', 'down'])
  t.match(lines[0], { event: 'stopped', JOB: 'web@eight', INSTANCE: 'eight', RESULT: 'failed', EXIT_SIGNAL: 'KILL', pid })
  t.match(lines[5], { event: 'stopped', RESULT: 'ok', EXIT_SIGNAL: 'TERM' })
  t.ok(lines.every(l => typeof l.time === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(l.time)), 'times with microseconds')
  t.equal(spawnedListeners(dir), 0, 'its FIFO is removed')
})

t.test('sv events ends when its reader goes (sv events | head -1)', async t => {
  const dir = service(t, { run: 'exec sleep 1000' })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const pipe = startBin(t, 'sh', ['-c', `${shq(join(BIN, 'sv.js'))} events ${shq(dir)} | head -1`], { exe: 'sh' })
  await until(() => spawnedListeners(dir), n => n > 0, { what: 'listening' })
  writeFileSync(join(dir, 'supervise', 'control'), 't')
  // The first line reaches head, which exits; sv's next line finds no reader.
  await until(() => pipe.stdout(), s => s.includes('"stopping"'), { what: 'a line' })
  await until(() => spawnedListeners(dir), n => n === 0, { what: 'sv events gone' })
  t.same(await pipe.exit, [0, null])
})
