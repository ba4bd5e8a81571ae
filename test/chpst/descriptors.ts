// Descriptors above 2 that chpst inherits reach the program at the same numbers, as they do
// through runit's exec: in the relay too, and with -l holding the lock on a descriptor of its own.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runBin } from '../helpers/bin.js'
import { CHPST, NODE, nodeHasExecve, ffiExecve } from '../helpers/chpst.js'
import { PATH } from '../helpers/clean-env.js'
import { needRunit, runitBin } from '../helpers/runit.js'
import { shq } from '../helpers/svdir.js'

t.comment(nodeHasExecve ? `chpst execs (${ffiExecve ? 'execve(2) through the FFI where needed' : 'process.execve'})` : 'chpst relays')

/** Runs `script` in sh(1), which then execs chpst (ours, or runit's) with `args` and only PATH in
 * its environment (as runChpst does); $0 is `file`. */
async function fromShell (script: string, file: string, args: string[], impl: 'ours' | 'runit' = 'ours'): Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }> {
  const exe = impl === 'ours' ? [NODE, CHPST] : [runitBin('chpst')!]
  const r = await runBin('sh', ['-c', `${script}; exec "$@"`, file, '/usr/bin/env', '-i', `PATH=${PATH}`, ...exe, ...args], { exe: '/bin/sh' })
  return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

/** chpst with `file` open on descriptor 7 and descriptor 1 again on 3. */
async function withFds (file: string, args: string[], impl: 'ours' | 'runit' = 'ours'): Promise<unknown> {
  return await fromShell('exec 7< "$0" 3>&1', file, args, impl)
}

t.test('the program reads an inherited descriptor at its number', async t => {
  const file = join(t.testdir(), 'seven')
  writeFileSync(file, 'on fd 7\n')
  t.same(await withFds(file, ['cat', '/proc/self/fd/7']), { code: 0, signal: null, stdout: 'on fd 7\n', stderr: '' })
  t.same(await withFds(file, ['sh', '-c', 'echo on fd 3 >&3']), { code: 0, signal: null, stdout: 'on fd 3\n', stderr: '' })
})

t.test('with -l the program has the lock and the inherited descriptors', async t => {
  const dir = t.testdir()
  const file = join(dir, 'seven')
  const lk = join(dir, 'lk')
  writeFileSync(file, 'on fd 7\n')
  const r = await withFds(file, ['-l', lk, 'sh', '-c', `cat <&7; flock -xn ${shq(lk)} true || echo locked`])
  t.same(r, { code: 0, signal: null, stdout: 'on fd 7\nlocked\n', stderr: '' })
})

t.test('the same descriptors as through runit\'s chpst', needRunit(), async t => {
  const dir = t.testdir()
  const file = join(dir, 'seven')
  writeFileSync(file, 'on fd 7\n')
  for (const args of [['cat', '/proc/self/fd/7'], ['ls', '/proc/self/fd'], ['-l', join(dir, 'lk'), 'ls', '/proc/self/fd']]) {
    t.same(await withFds(file, args), await withFds(file, args, 'runit'), args.slice(-2).join(' ') + (args[0] === '-l' ? ' with -l' : ''))
  }
})

t.test('chpst execs in place; with an inherited descriptor, through the FFI (keeps it) or as a relay', { skip: nodeHasExecve ? false : 'needs process.execve or the FFI' }, async t => {
  const file = join(t.testdir(), 'seven')
  writeFileSync(file, 'on fd 7\n')
  // The shell prints its pid, which chpst takes over; the program prints its pid and parent's.
  const pids = async (script: string): Promise<string[]> => (await fromShell(script, file, ['sh', '-c', 'echo $$ $PPID'])).stdout.split(/\s+/)
  const [chpst, pid] = await pids('echo $$')
  t.equal(pid, chpst, 'nothing inherited: the program is chpst\'s pid')
  // Node marked descriptor 7 close-on-exec as it started, so process.execve would close it;
  // execve(2) through the FFI clears the mark first.
  const [shell, pid7, parent] = await pids('exec 7< "$0"; echo $$')
  if (ffiExecve) t.equal(pid7, shell, 'descriptor 7 inherited: the FFI\'s execve, the program is chpst\'s pid')
  else t.equal(parent, shell, 'descriptor 7 inherited: chpst relays, the program is its child')
})
