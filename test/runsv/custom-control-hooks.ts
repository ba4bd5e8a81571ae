// control/<letter> scripts override or add to what a letter does (runsv(8) CUSTOMIZE CONTROL).
import t from 'tap'
import { join } from 'node:path'
import { chmodSync } from 'node:fs'
import { startBin, BIN } from '../helpers/bin.js'
import { service, stat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin } from '../helpers/runit.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

const RECORDER = `trap 'echo HUP >> ./sigs' HUP
trap 'echo TERM >> ./sigs; kill $child 2>/dev/null; exit 0' TERM
echo start >> ./sigs
while :; do sleep 1000 & child=$!; wait $child; kill $child 2>/dev/null; done`
const lines = (dir: string, f: string): string[] => readText(join(dir, f)).split('\n').filter(Boolean)

t.test('control/t exiting 0 replaces the TERM; control/d runs after a down', async t => {
  const dir = service(t, {
    run: RECORDER,
    hooks: { t: 'echo t >> ./hooks; kill -HUP $(cat supervise/pid); exit 0', d: 'echo d >> ./hooks' }
  })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => lines(dir, 'sigs'), s => s.includes('start'), { what: 'sigs' })
  sendControl(servicePaths(dir), 'd')
  await until(() => lines(dir, 'hooks'), h => h.length >= 2, { what: 'hooks' })
  t.same(lines(dir, 'hooks'), ['t', 'd'], 'control/t, then control/d')
  await until(() => lines(dir, 'sigs'), s => s.includes('HUP'), { what: 'sigs' })
  t.equal(stat(dir), 'run, want down\n', 'no "got TERM": runsv sent no TERM, the hook handled it')
  t.notOk(lines(dir, 'sigs').includes('TERM'))
})

t.test('control/h exiting non-zero: the HUP is still sent', async t => {
  const dir = service(t, { run: RECORDER, hooks: { h: 'echo "h $0" >> ./hooks; exit 1' } })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => lines(dir, 'sigs'), s => s.includes('start'), { what: 'sigs' })
  sendControl(servicePaths(dir), 'h')
  await until(() => lines(dir, 'sigs'), s => s.includes('HUP'), { what: 'sigs' })
  t.same(lines(dir, 'hooks'), ['h control/h'], 'ran once, as control/h (runit\'s $0)')
})

t.test('control/u runs before every start; a hook without the x bit is ignored', async t => {
  const dir = service(t, { run: 'exec sleep 1000', hooks: { u: 'echo u >> ./hooks', k: 'echo k >> ./hooks; exit 0' } })
  chmodSync(join(dir, 'control', 'k'), 0o644)
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => pidOf(dir), p => p > 0, { what: 'pid' })
  const first = pidOf(dir)
  sendControl(servicePaths(dir), 'k')
  await until(() => pidOf(dir), p => p > 0 && p !== first, { what: 'pid' })
  t.same(lines(dir, 'hooks'), ['u', 'u'])
})

t.test('hooks write to the log pipe and run with signals unblocked', async t => {
  const dir = service(t, {
    run: 'exec sleep 1000',
    log: 'exec cat > ../out',
    hooks: { h: 'echo "hook says hi"; grep SigBlk /proc/self/status >> ./blocked; exit 0' }
  })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  sendControl(servicePaths(dir), 'h')
  await until(() => readText(join(dir, 'out')), s => s.includes('hook says hi'), { what: 'log output' })
  // The hook writes the mask after its echo: wait for it, too.
  const blocked = await until(() => readText(join(dir, 'blocked')), s => s.endsWith('\n'), { what: 'the hook\'s signal mask' })
  t.match(blocked, /^SigBlk:\s+0+\n$/, 'no blocked signals')
})

// Hooks read supervise/ as runit leaves it when it runs them: want before control/t, got TERM
// before control/d and control/x, the dead process's "down" before control/u of the restart.
// Checked against runit's runsv too when its binary is there.
const SEEN = 'echo "$(basename $0): $(cat supervise/stat)" >> ./seen; exit 1'
for (const impl of ['ours', 'runit'] as const) {
  const exe = impl === 'runit' ? runitBin('runsv') : undefined
  t.test(`hooks see the state so far (${impl}'s runsv)`, { skip: impl === 'runit' && exe === undefined ? 'no runit runsv' : false }, async t => {
    const dir = service(t, { run: 'sleep 1; exec sleep 1000', hooks: { t: SEEN, d: SEEN, x: SEEN, u: SEEN } })
    startBin(t, 'runsv', [dir], { services: [dir], exe })
    const seen = (): string[] => lines(dir, 'seen')
    await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
    // Up for over a second, so the restart after t is immediate.
    await until(() => seen(), s => s.length === 1, { what: 'the first control/u' })
    await new Promise(resolve => setTimeout(resolve, 1500))
    sendControl(servicePaths(dir), 't')
    await until(() => seen(), s => s.length === 3, { what: 'control/t and control/u of the restart' })
    await until(() => stat(dir), s => s === 'run\n', { what: 'restarted' })
    sendControl(servicePaths(dir), 'd')
    await until(() => seen(), s => s.length === 5, { what: 'control/t and control/d' })
    sendControl(servicePaths(dir), 'u')
    await until(() => seen(), s => s.length === 6, { what: 'control/u' })
    await until(() => stat(dir), s => s === 'run\n', { what: 'up again' })
    sendControl(servicePaths(dir), 'x')
    await until(() => seen(), s => s.length === 8, { what: 'control/t and control/x' })
    t.same(seen(), [
      'u: down',
      't: run',
      'u: down',
      't: run, want down',
      'd: run, got TERM, want down',
      'u: down',
      't: run, want exit',
      'x: run, got TERM, want exit'
    ])
  })
}

// runit opens supervise/ok before it first starts the service, so control/u at start-up can ask
// sv about the service; ours holds ok as soon as the first record is written.
for (const impl of ['ours', 'runit'] as const) {
  const exe = impl === 'runit' ? runitBin('runsv') : undefined
  t.test(`control/u at start-up finds runsv running (${impl}'s runsv)`, { skip: impl === 'runit' && exe === undefined ? 'no runit runsv' : false }, async t => {
    const dir = service(t, { run: 'exec sleep 1000', hooks: { u: `"${process.execPath}" "${join(BIN, 'sv.js')}" status . > ./sv-out 2>&1; exit 1` } })
    startBin(t, 'runsv', [dir], { services: [dir], exe })
    await until(() => readText(join(dir, 'sv-out')), s => s.endsWith('\n'), { what: 'sv output' })
    t.match(readText(join(dir, 'sv-out')), /^down: \.: \d+s, normally up, want up\n$/)
  })
}
