// chpst becomes the program: with process.execve or execve(2) through the FFI it keeps chpst's
// pid; without (RUNIT_TS_EXECVE=relay, no koffi), chpst relays every signal to it, mirrors how it
// ended, and takes it down if chpst itself is SIGKILLed.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alive } from '../helpers/bin.js'
import { CHPST, NODE, isRoot, nodeHasExecve, nodeHasProcessExecve, persona, programPid, shScript, startChpst } from '../helpers/chpst.js'
import { shownAs } from '../helpers/ps.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

t.comment(nodeHasExecve ? 'chpst replaces itself (process.execve or the FFI)' : 'chpst relays')

function ppidOf (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

t.test('the program is chpst\'s pid (execve) or chpst\'s only child (relay)', async t => {
  const c = startChpst(t, ['-o', '1000', 'sleep', '1000'])
  const pid = await programPid(c.pid, 'sleep').catch(err => { t.comment(c.stderr()); throw err })
  if (nodeHasExecve) t.equal(pid, c.pid)
  else t.equal(ppidOf(pid), c.pid)
  c.child.kill('SIGTERM')
  t.same(await c.exit, [null, 'SIGTERM'])
})

// Signals runsv sends (sv's commands) and the usual job-control and terminal ones.
const SIGNALS = ['HUP', 'INT', 'QUIT', 'USR1', 'USR2', 'ALRM', 'CONT', 'WINCH', 'TERM'] as const

t.test('every signal sent to chpst reaches the program, once', async t => {
  const dir = t.testdir()
  const log = join(dir, 'log')
  const traps = SIGNALS.map(s => `trap 'echo ${s} >> "$log"' ${s}`).join('; ')
  const prog = shScript(dir, 'prog', `log=${shq(log)}; ${traps}; echo ready >> "$log"; while :; do sleep 0.05; done`)
  const c = startChpst(t, [prog])
  await until(() => readText(log), s => s === 'ready\n', { what: 'log' })
  let expected = 'ready\n'
  for (const s of SIGNALS) {
    process.kill(c.pid, `SIG${s}`)
    expected += `${s}\n`
    await until(() => readText(log), l => l === expected, { what: `log after SIG${s}` })
  }
  t.pass('all relayed in order, none twice')
  process.kill(c.pid, 'SIGKILL')
  await c.exit
})

t.test('a program ending by a signal ends chpst by the same signal', async t => {
  for (const sig of ['SIGKILL', 'SIGTERM', 'SIGHUP', 'SIGABRT'] as const) {
    const c = startChpst(t, ['sleep', '1000'])
    const pid = await programPid(c.pid, 'sleep')
    process.kill(pid, sig)
    t.same(await c.exit, [null, sig], sig)
  }
})

t.test('SIGKILL to chpst takes the program down too', async t => {
  const c = startChpst(t, ['sleep', '1000'])
  const pid = await programPid(c.pid, 'sleep')
  process.kill(c.pid, 'SIGKILL')
  t.same(await c.exit, [null, 'SIGKILL'])
  await until(() => alive(pid), a => !a, { what: 'the program' })
  t.pass(nodeHasExecve ? 'it was the program' : 'the relay\'s child died with it (parent-death signal)')
})

t.test('with -1 the reader of stdout sees EOF while the program still runs', async t => {
  const c = startChpst(t, ['-1', 'sleep', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const ended = new Promise<void>(resolve => { c.child.stdout!.once('end', resolve) })
  c.child.stdout!.resume()
  const pid = await programPid(c.pid, 'sleep')
  await ended
  t.ok(alive(pid), 'EOF came from the descriptor being closed, not from the exit')
  c.child.kill('SIGTERM')
  await c.exit
})

function readText (path: string): string {
  try { return readFileSync(path, 'utf8') } catch { return '' }
}

t.test('a terminal\'s ^C reaches the program once (the relay does not repeat it)', { skip: spawnSync('sh', ['-c', 'command -v script && command -v perl'], { env: cleanEnv() }).status === 0 ? false : 'script(1) or perl missing' }, async t => {
  const dir = t.testdir()
  const ints = join(dir, 'ints')
  // perl handles each signal as it comes (a shell would fold two close ones into one trap).
  const prog = join(dir, 'prog')
  writeFileSync(prog, `#!/usr/bin/perl
$SIG{INT} = sub { open(my $f, '>>', '${ints}'); print $f "INT\\n"; close($f) };
open(my $r, '>', '${dir}/ready'); close($r);
select(undef, undef, undef, 0.05) until -e '${dir}/stop';
`, { mode: 0o755 })
  // script(1) runs chpst on a new pseudo-terminal; a ^C written to it becomes SIGINT for the
  // terminal's foreground process group, which holds chpst and (in relay mode) the program.
  const term = spawn('script', ['-qec', `exec ${shq(NODE)} ${shq(CHPST)} ${shq(prog)}`, '/dev/null'], { env: cleanEnv(), stdio: ['pipe', 'ignore', 'ignore'] })
  t.teardown(() => { term.kill('SIGKILL') })
  const exited = new Promise(resolve => term.once('exit', resolve))
  await until(() => existsSync(join(dir, 'ready')), r => r, { what: 'ready' })
  term.stdin!.write('\x03')
  await until(() => readText(ints), s => s === 'INT\n', { what: 'ints' })
  term.stdin!.write('\x03')
  await until(() => readText(ints), s => s.length >= 8, { what: 'ints' })
  writeFileSync(join(dir, 'stop'), '')
  await exited
  t.equal(readText(ints), 'INT\nINT\n', 'two ^C, two SIGINT')
})

// Under its own name while it relays, as runit's chpst until it execs (with execve, the program
// takes over the pid and its name: nothing of chpst is left to see).
// RUNIT_TS_EXECVE=relay keeps a Node without process.execve from exec'ing through the FFI.
const RELAY = cleanEnv({ RUNIT_TS_EXECVE: 'relay' }) as Record<string, string>

t.test('relaying, ps, pidof and pgrep -x see chpst by the name it was called by', { skip: nodeHasProcessExecve ? 'node has process.execve: chpst becomes the program' : false }, async t => {
  const c = startChpst(t, ['-o', '1000', 'sleep', '1000'], { env: RELAY })
  await programPid(c.pid, 'sleep')
  await shownAs(t, c.pid, 'chpst', ['chpst', '-o', '1000', 'sleep', '1000'])
  const e = startChpst(t, ['sleep', '1000'], { exe: persona(t.testdir(), 'pgrphack'), env: RELAY })
  await programPid(e.pid, 'sleep').catch(err => { t.comment(e.stderr()); throw err })
  await shownAs(t, e.pid, 'pgrphack', ['pgrphack', 'sleep', '1000'])
})

t.test('relaying as another user (-u), chpst still shows under its own name', { skip: nodeHasProcessExecve ? 'node has process.execve: chpst becomes the program' : !isRoot ? 'needs root to change user' : false }, async t => {
  const c = startChpst(t, ['-u', 'nobody', 'sleep', '1000'], { env: RELAY })
  await programPid(c.pid, 'sleep').catch(err => { t.comment(c.stderr()); throw err })
  await shownAs(t, c.pid, 'chpst', ['chpst', '-u', 'nobody', 'sleep', '1000'])
})
