// -/ root: the program runs inside a new root, users and groups are looked up there, the lock and
// the program are found there. The root is built from copies of id, sh and their libraries.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { asNobody, isRoot, runChpst } from '../helpers/chpst.js'
import { needRunit, runitBin } from '../helpers/runit.js'
import { cleanEnv } from '../helpers/clean-env.js'

const PASSWD = 'root:x:0:0::/:/bin/sh\nalice:x:1500:1600::/:/bin/sh\n'
const GROUP = 'root:x:0:\nstaff:x:1600:\nextra:x:1700:alice\nother:x:1800:\n'

/** Copies each program and the shared libraries ldd lists for it into root. */
function makeRoot (root: string, programs: string[]): void {
  const files = new Set<string>()
  for (const p of programs) {
    files.add(p)
    const ldd = spawnSync('ldd', [p], { env: cleanEnv(), encoding: 'utf8' }).stdout
    for (const m of ldd.matchAll(/(\/\S+) \(0x/g)) files.add(m[1]!)
  }
  for (const f of files) {
    mkdirSync(join(root, dirname(f)), { recursive: true })
    copyFileSync(f, join(root, f))
    if (programs.includes(f)) spawnSync('chmod', ['755', join(root, f)], { env: cleanEnv() })
  }
  mkdirSync(join(root, 'etc'), { recursive: true })
  writeFileSync(join(root, 'etc', 'passwd'), PASSWD)
  writeFileSync(join(root, 'etc', 'group'), GROUP)
}

const which = (p: string): string => spawnSync('sh', ['-c', `command -v ${p}`], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim()
const canBuild = isRoot && which('ldd') !== '' && which('chroot') !== ''

t.test('-/ with -u and -U: ids from the new root\'s files', { skip: canBuild ? false : 'needs root, ldd and chroot(8)' }, async t => {
  const dir = t.testdir({ env: { FROM: 'outside\n' } })
  const root = join(dir, 'root')
  makeRoot(root, [which('id'), '/bin/sh'])
  const id = await runChpst(['-/', root, '-u', 'alice', which('id')])
  t.equal(id.stderr, '')
  t.equal(id.stdout, 'uid=1500(alice) gid=1600(staff) groups=1600(staff),1700(extra)\n', 'initgroups from root/etc/group')
  const listed = await runChpst(['-/', root, '-u', 'alice:other:extra', which('id')])
  t.equal(listed.stdout, 'uid=1500(alice) gid=1800(other) groups=1800(other),1700(extra)\n')
  const env = await runChpst(['-e', 'env', '-/', root, '-U', 'alice', 'sh', '-c', 'echo "$UID $GID $FROM $(pwd)"'], { cwd: dir, env: { PATH: '/bin:/usr/bin' } })
  t.equal(env.stdout, '1500 1600 outside /\n', 'envdir read before the chroot, cwd is the new /')
})

t.test('-/: lock and program are looked for inside the new root', { skip: canBuild ? false : 'needs root, ldd and chroot(8)' }, async t => {
  const dir = t.testdir()
  const root = join(dir, 'root')
  makeRoot(root, ['/bin/sh'])
  const r = await runChpst(['-/', root, '-u', 'alice', '-l', '/lk', 'sh', '-c', 'echo ran'], { env: { PATH: '/bin' } })
  t.equal(r.stdout, 'ran\n')
  t.ok(existsSync(join(root, 'lk')), 'lock created inside the root')
  t.equal(statSync(join(root, 'lk')).uid, 1500, 'owned by the new user, as runit\'s would be')
  const missing = await runChpst(['-/', root, which('id')])
  t.equal(missing.code, 111)
  t.equal(missing.stderr, `chpst: fatal: unable to run: ${which('id')}: file does not exist\n`)
  const unknown = await runChpst(['-/', root, '-u', 'nobody', 'sh'])
  t.equal(unknown.stderr, 'chpst: fatal: unknown user/group: nobody\n', 'the host\'s users do not count')
})

t.test('-/ errors', async t => {
  const r = await runChpst(['-/', '/nonexistent', 'true'])
  t.equal(r.code, 111)
  t.equal(r.stderr, 'chpst: fatal: unable to change directory: /nonexistent: file does not exist\n')
  if (isRoot) {
    const n = await runChpst(asNobody(t, '-/', '/', 'true'))
    t.equal(n.code, 111)
    t.equal(n.stderr, 'chpst: fatal: unable to change root directory: permission denied\n')
  }
})

t.test('-/ against runit\'s chpst on the same root', canBuild ? needRunit() : { skip: 'needs root, ldd and chroot(8)' }, async t => {
  const dir = t.testdir()
  const root = join(dir, 'root')
  makeRoot(root, [which('id'), '/bin/sh'])
  const cases = [
    ['-u', 'alice:other:extra', which('id')],
    ['-U', 'alice:extra', 'sh', '-c', 'echo "$UID $GID $(pwd)"'],
    ['-u', ':7:8:9', which('id'), '-G'],
    ['-u', 'nobody', 'sh'],
    ['nonexistent']
  ]
  for (const args of cases) {
    const ours = await runChpst(['-/', root, ...args], { env: { PATH: '/bin:/usr/bin' } })
    const theirs = await runChpst(['-/', root, ...args], { env: { PATH: '/bin:/usr/bin' }, exe: runitBin('chpst'), native: true })
    t.same(ours, theirs, args.join(' '))
  }
  const ours = await runChpst(['-/', root, '-u', 'alice', which('id')])
  const theirs = await runChpst(['-/', root, '-u', 'alice', which('id')], { exe: runitBin('chpst'), native: true })
  t.equal(theirs.stdout, 'uid=1500(alice) gid=1600(staff) groups=1600(staff)\n', 'runit drops memberships')
  t.equal(ours.stdout, 'uid=1500(alice) gid=1600(staff) groups=1600(staff),1700(extra)\n', 'we keep them')
})
