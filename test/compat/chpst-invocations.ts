// The same chpst invocations against runit's C chpst and ours: exit code, stdout and stderr must
// match (deliberate differences are listed apart, each with both outputs checked).
import t from 'tap'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRoot, persona, runChpst, type ChpstOptions } from '../helpers/chpst.js'
import { PATH } from '../helpers/clean-env.js'
import { needRunit, runitBin } from '../helpers/runit.js'

interface CaseOptions { personality?: string, env?: Record<string, string>, root?: boolean }
type Case = [title: string, args: string[], opts?: CaseOptions]

async function both (dir: string, args: string[], opts: Case[2] = {}): Promise<{ ours: unknown, theirs: unknown }> {
  const run = async (impl: 'ours' | 'runit'): Promise<unknown> => {
    const o: ChpstOptions = { cwd: dir, env: opts.env ?? { PATH } }
    if (impl === 'runit') { o.exe = runitBin('chpst'); o.native = true }
    if (opts.personality !== undefined) o.exe = join(dir, impl, opts.personality)
    const r = await runChpst(args, o)
    return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
  }
  return { ours: await run('ours'), theirs: await run('runit') }
}

function setup (t: Parameters<Parameters<typeof t.test>[2] & {}>[0]): string {
  const dir = t.testdir({
    env: { A: 'v\n', B: '', C: 'x \t\nmore', 'EQ=X': 'v', sub: {} },
    plain: { A: 'v\n' },
    noshebang: 'echo hi\n'
  })
  chmodSync(join(dir, 'noshebang'), 0o755)
  for (const impl of ['ours', 'runit'] as const) {
    mkdirSync(join(dir, impl))
    for (const p of ['envdir', 'envuidgid', 'pgrphack', 'setuidgid', 'softlimit', 'setlock', 'dsetlock', 'xchpst']) persona(join(dir, impl), p, impl)
  }
  writeFileSync(join(dir, 'busy'), '')
  return dir
}

const SH = (s: string): string[] => ['sh', '-c', s]
const LIMITS = 'grep -E "^Max (open files|data|stack|core|cpu|processes|file size|resident|address)" /proc/$$/limits'

const SAME: Case[] = [
  ['no arguments', []],
  ['-V', ['-V']],
  ['illegal option', ['-x', 'true']],
  ['missing option argument', ['-u']],
  ['bad number', ['-m', '1x', 'true']],
  ['bad nice', ['-n', '1x', 'true']],
  ['-l and -L', ['-l', 'a', '-L', 'b', 'true']],
  ['options only', ['-v', '-P']],
  ['program not found', ['nosuchprogram']],
  ['exec format error', ['./noshebang']],
  ['-u listed groups', ['-u', 'nobody:adm:daemon', 'id'], { root: true }],
  ['-u numeric ids', ['-u', ':1234:5:6', 'id'], { root: true }],
  ['-u empty gid', ['-u', ':1234:', 'id'], { root: true }],
  ['-u unknown user', ['-u', 'nosuchuser', 'true']],
  ['-u unknown group', ['-u', 'nobody:nosuchgroup', 'true']],
  ['-u invalid ids', ['-u', ':1234', 'true']],
  ['-u invalid ids 2', ['-u', ':1x:2', 'true']],
  ['-U', ['-U', 'nobody:adm', ...SH('echo "$UID $GID"')]],
  ['-U numeric', ['-U', ':5:6:7', ...SH('echo "$UID $GID"')]],
  ['-n', ['-n', '5', ...SH('read -r s < /proc/$$/stat; set -- ${s##*) }; echo ${17}')]],
  ['-n clamped', ['-n', '100', ...SH('read -r s < /proc/$$/stat; set -- ${s##*) }; echo ${17}')]],
  ['-n negative', ['-n', '-4', ...SH('read -r s < /proc/$$/stat; set -- ${s##*) }; echo ${17}')], { root: true }],
  ['-P', ['-P', ...SH('read -r s < /proc/$$/stat; set -- ${s##*) }; [ "$3" = $$ ] && [ "$4" = $$ ] && echo leader')]],
  ['-e', ['-e', 'env', ...SH('echo "A=$A B=${B-unset} C=$C EQ=$EQ"')], { env: { PATH, B: 'b' } }],
  ['-v -e', ['-v', '-e', 'env', 'true']],
  ['-e missing', ['-e', 'nonexistent', 'true']],
  ['-e a file', ['-e', 'busy', 'true']],
  ['-b', ['-b', 'myname', ...SH('echo $0')]],
  ['-0 -2 -l', ['-0', '-2', '-l', 'lk', 'sh', '-c', 'exec ls /proc/self/fd']],
  ['-1', ['-1', 'sh', '-c', 'echo lost; ls /proc/self/fd >&2']],
  ['-o', ['-o', '50', ...SH(LIMITS)]],
  ['-d -f -c -t -p -r', ['-d', '9000000', '-f', '8000000', '-c', '0', '-t', '100', '-p', '50', '-r', '7000000', ...SH(LIMITS)]],
  ['-m then -d', ['-m', '5000000', '-d', '4000000', ...SH(LIMITS)]],
  ['-o empty is 0', ['-o', '', 'true']],
  ['exit code', SH('exit 42')],
  ['death by signal', SH('kill -USR2 $$')],
  ['-/ missing', ['-/', '/nonexistent', 'true']],
  ['envdir', ['plain', ...SH('echo $A')], { personality: 'envdir' }],
  ['envdir subdirectory', ['env', 'true'], { personality: 'envdir' }],
  ['envdir usage', ['plain'], { personality: 'envdir' }],
  ['envuidgid', ['nobody', ...SH('echo "$UID $GID"')], { personality: 'envuidgid' }],
  ['envuidgid unknown', [':1:1', 'true'], { personality: 'envuidgid' }],
  ['setuidgid', ['nobody', 'id'], { personality: 'setuidgid', root: true }],
  ['setuidgid no groups', ['nobody:adm', 'true'], { personality: 'setuidgid' }],
  ['setuidgid usage', [], { personality: 'setuidgid' }],
  ['pgrphack', SH('read -r s < /proc/$$/stat; set -- ${s##*) }; [ "$3" = $$ ] && echo leader'), { personality: 'pgrphack' }],
  ['pgrphack usage', [], { personality: 'pgrphack' }],
  ['softlimit', ['-o', '40', '-s', '=', '-a', '900000000', ...SH(LIMITS)], { personality: 'softlimit' }],
  ['softlimit bad number', ['-o', 'x', 'true'], { personality: 'softlimit' }],
  ['softlimit illegal option', ['-z', 'true'], { personality: 'softlimit' }],
  ['setlock', ['lk2', 'echo', 'locked'], { personality: 'setlock' }],
  ['setlock usage', ['lk2'], { personality: 'setlock' }],
  ['setlock -x missing program', ['-x', 'lk2', './nonexistent'], { personality: 'setlock' }],
  ['setlock missing program', ['lk2', './nonexistent'], { personality: 'setlock' }],
  ['setlock bad lock', ['/nonexistent/lk', 'true'], { personality: 'setlock' }],
  ['setlock -x bad lock', ['-x', '/nonexistent/lk', 'true'], { personality: 'setlock' }],
  ['dsetlock is setlock', ['lk2', 'echo', 'locked'], { personality: 'dsetlock' }],
  ['other names are chpst', [], { personality: 'xchpst' }]
]

t.test('same invocations, same results', needRunit(), async t => {
  const dir = setup(t)
  for (const [title, args, opts] of SAME) {
    if (opts?.root === true && !isRoot) continue
    const r = await both(dir, args, opts)
    t.same(r.ours, r.theirs, title)
  }
})

t.test('deliberate differences', needRunit(), async t => {
  const dir = setup(t)
  if (isRoot) {
    // runit drops the user's /etc/group memberships; we keep them (initgroups).
    const member = 'postgres'
    const r = await both(dir, ['-u', member, 'id', '-G'])
    if ((r.theirs as { code: number }).code === 0) {
      t.not((r.ours as { stdout: string }).stdout, (r.theirs as { stdout: string }).stdout, '-u user keeps supplementary groups')
    }
  }
  // runit caps a soft limit above the hard one silently; so do we.
  const big = await both(dir, ['-o', '18446744073709551614', ...SH('grep "open files" /proc/$$/limits')])
  const ours = big.ours as { stdout: string, stderr: string }
  const theirs = big.theirs as { stdout: string, stderr: string }
  t.equal(ours.stdout, theirs.stdout, 'same clamped limit')
  t.equal(theirs.stderr, '')
  t.equal(ours.stderr, '')
})
