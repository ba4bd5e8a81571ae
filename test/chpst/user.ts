// -u, -U, setuidgid, envuidgid: the program's ids and groups as `id` and its environment show them.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { asNobody, isRoot, persona, runChpst } from '../helpers/chpst.js'
import { cleanEnv } from '../helpers/clean-env.js'

const root = { skip: isRoot ? false : 'needs root to change users' } as const

/** A user listed as a member of some group in /etc/group, with the gids initgroups gives it. */
function userWithGroups (): { name: string, groups: string } | undefined {
  const r = spawnSync('getent', ['group'], { env: cleanEnv(), encoding: 'utf8' })
  for (const line of r.stdout.split('\n')) {
    const member = line.split(':')[3]?.split(',')[0]
    if (member !== undefined && member !== '' && member !== 'root') {
      const groups = spawnSync('id', ['-G', member], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim()
      if (groups.includes(' ')) return { name: member, groups }
    }
  }
  return undefined
}

t.test('-u user: uid, primary gid and the supplementary groups initgroups gives', root, async t => {
  const r = await runChpst(['-u', 'nobody', 'id'])
  t.equal(r.code, 0)
  t.equal(r.stderr, '')
  t.match(r.stdout, /^uid=65534\(nobody\) gid=65534\(\w+\) groups=65534\(\w+\)\n$/)
  const member = userWithGroups()
  if (member === undefined) {
    t.comment('no user with /etc/group memberships here; supplementary groups not checked')
    return
  }
  const g = await runChpst(['-u', member.name, 'id', '-G'])
  t.equal(g.stdout.trim(), member.groups, `${member.name} keeps its /etc/group memberships (runit drops them)`)
})

t.test('-u user:group:group sets exactly the listed groups, the first as gid', root, async t => {
  const r = await runChpst(['-u', 'nobody:adm:daemon', 'id'])
  t.equal(r.stdout, 'uid=65534(nobody) gid=4(adm) groups=4(adm),1(daemon)\n')
})

t.test('-u :uid:gid:gid takes numbers without lookups', root, async t => {
  t.equal((await runChpst(['-u', ':1234:5:6', 'id', '-u'])).stdout, '1234\n')
  t.equal((await runChpst(['-u', ':1234:5:6', 'id', '-G'])).stdout, '5 6\n')
  t.equal((await runChpst(['-u', ':1234:', 'id', '-g'])).stdout, '0\n', 'an empty gid is 0')
})

t.test('-u errors are fatal 111 with runit\'s wording', async t => {
  const cases: Array<[string, string]> = [
    ['nosuchuser', 'chpst: fatal: unknown user/group: nosuchuser\n'],
    ['nobody:nosuchgroup', 'chpst: fatal: unknown user/group: nobody:nosuchgroup\n'],
    [':1234', 'chpst: fatal: invalid uid/gids: 1234\n'],
    [':1x:2', 'chpst: fatal: invalid uid/gids: 1x:2\n']
  ]
  for (const [spec, err] of cases) {
    const r = await runChpst(['-u', spec, 'true'])
    t.equal(r.code, 111, spec)
    t.equal(r.stderr, err)
  }
})

t.test('as nobody, -u cannot change groups: unable to setgroups', root, async t => {
  const r = await runChpst(asNobody(t, '-u', 'daemon', 'true'))
  t.equal(r.code, 111)
  t.equal(r.stderr, 'chpst: fatal: unable to setgroups: permission denied\n')
})

t.test('-U sets $UID and $GID only', async t => {
  const r = await runChpst(['-U', 'nobody:adm', 'sh', '-c', 'echo "$UID $GID $(id -u)"'])
  t.equal(r.stdout, `65534 4 ${process.getuid!()}\n`)
  t.equal((await runChpst(['-U', ':5:6:7', 'sh', '-c', 'echo "$UID $GID"'])).stdout, '5 6\n')
  t.equal((await runChpst(['-U', 'nobody', 'sh', '-c', 'echo "$UID $GID"'])).stdout, '65534 65534\n')
  const bad = await runChpst(['-U', 'nosuchuser', 'true'])
  t.equal(bad.code, 111)
  t.equal(bad.stderr, 'chpst: fatal: unknown user/group: nosuchuser\n')
})

t.test('-U is applied after -e (it overrides the envdir)', async t => {
  const dir = t.testdir({ env: { UID: 'fromenvdir\n', OTHER: 'x\n' } })
  const r = await runChpst(['-e', `${dir}/env`, '-U', ':7:8', 'sh', '-c', 'echo "$UID $GID $OTHER"'])
  t.equal(r.stdout, '7 8 x\n')
})

t.test('setuidgid and envuidgid personalities', async t => {
  const dir = t.testdir()
  const setuidgid = persona(dir, 'setuidgid')
  const envuidgid = persona(dir, 'envuidgid')
  if (isRoot) {
    const r = await runChpst(['nobody', 'id', '-u'], { exe: setuidgid })
    t.equal(r.stdout, '65534\n')
  }
  const bad = await runChpst(['nobody:adm', 'true'], { exe: setuidgid })
  t.equal(bad.code, 111)
  t.equal(bad.stderr, 'chpst: fatal: unknown account: nobody:adm\n', 'no :group forms')
  const e = await runChpst(['nobody', 'sh', '-c', 'echo "$UID $GID"'], { exe: envuidgid })
  t.equal(e.stdout, '65534 65534\n')
  const numeric = await runChpst([':1:1', 'true'], { exe: envuidgid })
  t.equal(numeric.stderr, 'chpst: fatal: unknown account: :1:1\n')
})
