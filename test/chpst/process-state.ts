// nice, setsid, closed descriptors, argv[0], program search and exit status, seen from inside
// the program (its /proc entries), with chpst run as root and as nobody.
import t from 'tap'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NODE, REPORT, asNobody, isRoot, persona, programPid, report, runChpst, shScript, sleepingFds, startChpst } from '../helpers/chpst.js'
import { PATH } from '../helpers/clean-env.js'
import { publicDir } from '../helpers/public-dir.js'
import { until } from '../helpers/until.js'
import { shq } from '../helpers/svdir.js'

const root = { skip: isRoot ? false : 'needs root' } as const

t.test('-n adds to the nice value, clamped to 19', async t => {
  t.equal(report((await runChpst(['-n', '5', 'sh', '-c', REPORT])).stdout).nice, '5')
  t.equal(report((await runChpst(['-n', '+7', 'sh', '-c', REPORT])).stdout).nice, '7')
  t.equal(report((await runChpst(['-n', '100', 'sh', '-c', REPORT])).stdout).nice, '19')
  t.equal(report((await runChpst(['-n', '3', NODE, 'bin/chpst.js', '-n', '4', 'sh', '-c', REPORT])).stdout).nice, '7', 'relative to the current value')
})

t.test('-n below 0 needs root: fatal as nobody, fine as root', root, async t => {
  t.equal(report((await runChpst(['-n', '-3', 'sh', '-c', REPORT])).stdout).nice, '-3')
  const r = await runChpst(asNobody(t, '-n', '-1', 'true'))
  t.equal(r.code, 111)
  t.equal(r.stderr, 'chpst: fatal: unable to set nice level: permission denied\n')
  const up = await runChpst(asNobody(t, '-n', '2', 'sh', '-c', REPORT))
  t.match(report(up.stdout), { nice: '2', id: /^uid=65534/ })
})

t.test('-P and pgrphack: the program leads a new session and process group', async t => {
  const dir = t.testdir()
  for (const [what, args, exe] of [['-P', ['-P', 'sh', '-c', REPORT]], ['pgrphack', ['sh', '-c', REPORT], persona(dir, 'pgrphack')]] as const) {
    const r = report((await runChpst([...args], { exe })).stdout)
    t.equal(r.session, r.pid, `${what}: session`)
    t.equal(r.pgrp, r.pid, `${what}: process group`)
  }
  const plain = report((await runChpst(['sh', '-c', REPORT])).stdout)
  t.not(plain.session, plain.pid, 'without -P the session is the caller\'s')
})

t.test('-P by a process group leader does nothing, as runit (setsid fails with EPERM)', async t => {
  // startBin runs chpst detached, i.e. as a session and group leader.
  const dir = t.testdir()
  const out = join(dir, 'out')
  const c = startChpst(t, ['-v', '-P', 'sh', '-c', `{ ${REPORT}; } > ${shq(out)}`])
  await c.exit
  const r = report(readFileSync(out, 'utf8'))
  t.equal(r.session, String(c.pid), 'still in chpst\'s session')
  t.equal(c.stderr(), 'chpst: warning: unable to setsid: already a process group leader\n', '-v says so')
})

t.test('-0 -1 -2 close the descriptors; the lock is taken first', async t => {
  const dir = t.testdir()
  const fdsOf = async (...opts: string[]): Promise<number[]> => {
    const c = startChpst(t, [...opts, 'sleep', '1000'], { cwd: dir })
    const fds = await sleepingFds(await programPid(c.pid, 'sleep'))
    c.child.kill('SIGTERM')
    await c.exit
    return fds
  }
  // What the program gets with no option: 0-2 plus whatever the test runner itself inherited.
  const base = await fdsOf()
  t.ok([0, 1, 2].every(fd => base.includes(fd)), `0-2 open: ${base.join(' ')}`)
  const without = (...closed: number[]): number[] => base.filter(fd => !closed.includes(fd))
  t.same(await fdsOf('-0'), without(0))
  t.same(await fdsOf('-1'), without(1))
  t.same(await fdsOf('-2'), without(2))
  t.same(await fdsOf('-012'), without(0, 1, 2))
  let lockFd = 3
  while (base.includes(lockFd)) lockFd++
  t.same(await fdsOf('-0', '-2', '-l', 'lk'), [...without(0, 2), lockFd].sort((a, b) => a - b),
    'the lock takes the lowest free descriptor, then 0 and 2 close')
})

t.test('-b sets argv[0]; without it argv[0] is the name given, whatever stages run', async t => {
  const argv0 = async (...opts: string[]): Promise<string> =>
    (await runChpst([...opts, 'sh', '-c', 'tr "\\0" "\\n" < /proc/$$/cmdline | head -1'])).stdout
  t.equal(await argv0('-b', 'foo'), 'foo\n')
  t.equal(await argv0('-b', 'foo', '-o', '1000'), 'foo\n', 'through prlimit')
  t.equal(await argv0('-b', 'foo', '-0', '-l', join(t.testdir(), 'lk')), 'foo\n', 'through the shell stage')
  t.equal(await argv0('-o', '1000'), 'sh\n')
  t.equal(await argv0(), 'sh\n')
})

t.test('-e: values, unset, trimming, NULs, "=" in names, subdirectories', async t => {
  const dir = t.testdir({
    env: {
      A: 'v\nsecond line ignored\n',
      B: '',
      C: 'x  \t\n',
      E: '\n',
      'EQ=X': 'v',
      '.hidden': 'no',
      sub: {}
    }
  })
  writeFileSync(join(dir, 'env', 'D'), 'a\0b\n')
  const r = await runChpst(['-e', 'env', 'sh', '-c', 'for v in A B C D E EQ hidden; do eval "x=\\${$v-unset}"; printf "%s=%s\\n" "$v" "$x"; done'],
    { cwd: dir, env: { PATH, B: 'set before' } })
  t.equal(r.code, 0)
  t.equal(r.stdout, 'A=v\nB=unset\nC=x\nD=a\nb\nE=\nEQ=X=v\nhidden=unset\n')
  t.equal(r.stderr, '', 'subdirectories are skipped quietly')
  const v = await runChpst(['-v', '-e', 'env', 'true'], { cwd: dir })
  t.equal(v.stderr, 'chpst: warning: unable to read env/sub: is a directory\n', 'and with a warning under -v')
  const envdir = await runChpst(['env', 'true'], { cwd: dir, exe: persona(dir, 'envdir') })
  t.equal(envdir.code, 111)
  t.equal(envdir.stderr, 'chpst: fatal: unable to read env/sub: is a directory\n', 'envdir: a subdirectory is fatal')
})

t.test('-e errors', async t => {
  const dir = t.testdir({ file: 'x' })
  const r = await runChpst(['-e', 'nonexistent', 'true'], { cwd: dir })
  t.equal(r.code, 111)
  t.equal(r.stderr, 'chpst: fatal: unable to switch to directory: nonexistent: file does not exist\n')
  t.equal((await runChpst(['-e', 'file', 'true'], { cwd: dir })).stderr, 'chpst: fatal: unable to switch to directory: file: not a directory\n')
})

t.test('-e unreadable entries, as nobody', root, async t => {
  // nobody must reach the directories (the clone's may be closed to others): a public one.
  const dir = publicDir(t)
  for (const d of ['env', 'noread']) {
    mkdirSync(join(dir, d))
    writeFileSync(join(dir, d, 'A'), 'v\n')
  }
  chmodSync(join(dir, 'env', 'A'), 0o000)
  chmodSync(join(dir, 'noread'), 0o311)
  const a = await runChpst(asNobody(t, '-e', join(dir, 'env'), 'true'))
  t.equal(a.stderr, `chpst: fatal: unable to read ${dir}/env/A: access denied\n`)
  const b = await runChpst(asNobody(t, '-e', join(dir, 'noread'), 'true'))
  t.equal(b.stderr, `chpst: fatal: unable to open directory: ${dir}/noread: access denied\n`)
})

t.test('the program is searched in chpst\'s own PATH, not the one -e sets', async t => {
  const dir = t.testdir({ env: { PATH: '/nonexistent\n' } })
  const r = await runChpst(['-e', 'env', 'sh', '-c', 'echo "$PATH"'], { cwd: dir })
  t.equal(r.stdout, '/nonexistent\n')
  const staged = await runChpst(['-e', 'env', '-o', '1000', 'sh', '-c', 'echo "$PATH $0"'], { cwd: dir })
  t.equal(staged.stdout, '/nonexistent sh\n', 'with stages too, argv[0] kept')
})

t.test('PATH search: empty element is ".", default /bin:/usr/bin, last real error reported', async t => {
  const dir = t.testdir({ a: {}, b: {} })
  shScript(dir, 'here', 'echo here')
  t.equal((await runChpst(['here'], { cwd: dir, env: { PATH: `/nonexistent:${PATH}:` } })).stdout, 'here\n')
  t.equal((await runChpst(['sh', '-c', 'echo ok'], { cwd: dir, env: {} })).stdout, 'ok\n', 'PATH unset')
  writeFileSync(join(dir, 'a', 'prog'), '#!/bin/sh\necho a\n', { mode: 0o644 })
  shScript(join(dir, 'b'), 'prog', 'echo b')
  t.equal((await runChpst(['prog'], { cwd: dir, env: { PATH: 'a:b' } })).stdout, 'b\n', 'skips the non-executable one')
  const none = await runChpst(['prog'], { cwd: dir, env: { PATH: 'a:/nonexistent' } })
  t.equal(none.code, 111)
  t.equal(none.stderr, 'chpst: fatal: unable to run: prog: access denied\n')
})

t.test('exec errors are fatal 111', async t => {
  const dir = t.testdir()
  writeFileSync(join(dir, 'noshebang'), 'echo hi\n', { mode: 0o755 })
  writeFileSync(join(dir, 'badinterp'), '#!/nonexistent/sh\necho hi\n', { mode: 0o755 })
  mkdirSync(join(dir, 'adir'))
  const cases: Array<[string, string]> = [
    ['nosuchprogram', 'file does not exist'],
    ['./noshebang', 'exec format error'],
    ['./badinterp', 'file does not exist'],
    ['./adir', 'access denied']
  ]
  // A PATH of directories anyone may search: one closed to this user would make the last error
  // "access denied" (as runit's), and a caller's PATH may hold one (root's, kept by runuser).
  for (const [prog, why] of cases) {
    const r = await runChpst([prog], { cwd: dir, env: { PATH: '/usr/bin:/bin' } })
    t.equal(r.code, 111, prog)
    t.equal(r.stderr, `chpst: fatal: unable to run: ${prog}: ${why}\n`)
  }
})

t.test('exit status is the program\'s: code, or death by the same signal', async t => {
  t.equal((await runChpst(['sh', '-c', 'exit 42'])).code, 42)
  for (const sig of ['SIGTERM', 'SIGUSR1', 'SIGSEGV', 'SIGPIPE', 'SIGQUIT'] as const) {
    const r = await runChpst(['sh', '-c', `kill -${sig.slice(3)} $$`])
    t.equal(r.signal, sig, sig)
  }
})

// Only root: -u sets the groups even to the user's own, which setgroups refuses to others (111).
t.test('exit status through -u is the program\'s', root, async t => {
  t.equal((await runChpst(['-u', 'root', 'sh', '-c', 'exit 7'])).code, 7)
})

t.test('a long-running program keeps its state (checked while it runs)', async t => {
  const dir = t.testdir()
  const out = join(dir, 'report')
  const c = startChpst(t, ['-n', '2', 'sh', '-c', `{ ${REPORT}; } > ${shq(out + '.tmp')}; mv ${shq(out + '.tmp')} ${shq(out)}; exec sleep 1000`])
  const r = report(await until(() => readFileSync(out, 'utf8'), s => s.includes('SigBlk')))
  t.equal(r.nice, '2')
  t.equal(r.SigIgn, '0000000000000000', 'no signal ignored (Node ignores SIGPIPE and SIGXFSZ itself)')
  t.equal(r.SigBlk, '0000000000000000')
  c.child.kill('SIGTERM')
  t.same(await c.exit, [null, 'SIGTERM'])
})

t.test('the environment reaches the program unchanged through every stage', async t => {
  const dir = t.testdir()
  const env = { PATH, A: '1', PWD: '/not/here', OPTIND: '5', PPID: '77', IFS: 'x', EMPTY: '', "Q'UOTE": "it's" }
  const lines = (s: string): string[] => s.split('\n').filter(l => l !== '').sort()
  const expected = lines(Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'))
  for (const opts of [[], ['-0'], ['-l', join(dir, 'lk')], ['-o', '1000'], ['-P', '-2', '-L', join(dir, 'lk'), '-o', '900']]) {
    const r = await runChpst([...opts, 'env'], { env })
    t.same(lines(r.stdout), expected, opts.join(' ') || 'no option')
  }
  const noPwd = await runChpst(['-0', 'env'], { env: { PATH } })
  t.same(lines(noPwd.stdout), [`PATH=${PATH}`], 'no PWD added')
})
