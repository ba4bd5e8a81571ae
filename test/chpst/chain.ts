// The exec chain's argv, stage by stage (pure), and the perl stage run for real.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { buildChain, perlScript, type ChainInput } from '../../build/chpst/chain.js'
import { cleanEnv } from '../helpers/clean-env.js'

const TOOLS = { setpriv: '/t/setpriv', setsid: '/t/setsid', perl: '/t/perl', prlimit: '/t/prlimit', chroot: '/t/chroot' }
const REASONS = new Map([[11, 'temporary failure'], [2, 'file does not exist']])

function input (over: Partial<ChainInput>): ChainInput {
  return {
    tools: TOOLS, pdeathsig: false, setsid: false, quiet: false, close: [], prlimit: [], ignore: [],
    target: 'prog', argv0: 'prog', args: ['a1'], name: 'prog', env: { A: '1' }, reasons: REASONS, ...over
  }
}

t.test('no stage: the program itself, with its argv[0]', async t => {
  t.same(buildChain(input({ target: '/bin/prog', argv0: 'name' })), { file: '/bin/prog', argv: ['name', 'a1'], env: { A: '1' } })
})

t.test('stages in order, each exec-ing the rest', async t => {
  const c = buildChain(input({ pdeathsig: true, setsid: true, prlimit: ['--nofile=5:'], ignore: ['/t/env', '--ignore-signal=2,3', '--'], chroot: 'keep-user' }))
  t.same(c.argv, ['/t/setpriv', '--pdeathsig', 'KILL', '--', '/t/env', '--ignore-signal=2,3', '--', '/t/setsid', '--', '/t/prlimit', '--nofile=5:', '--', '/t/chroot', '--', '.', 'prog', 'a1'])
  t.equal(c.file, '/t/setpriv')
  const ids = buildChain(input({ chroot: { uid: 5, gid: 6, groups: [6, 7] } }))
  t.same(ids.argv, ['/t/chroot', '--userspec=+5:+6', '--groups=+6,+7', '--', '.', 'prog', 'a1'], 'numeric ids, never looked up by chroot')
})

t.test('the perl stage takes the rest of the chain as operands', async t => {
  const c = buildChain(input({ lock: { path: 'lk', wait: true }, close: [0, 2], prlimit: ['--cpu=1:'] }))
  const script = perlScript(REASONS)
  t.same(c.argv, ['/t/perl', '-e', script, '--', 'lk', '1', '0', '02', '1', 'prog', '/t/prlimit', '/t/prlimit', '--cpu=1:', '--', 'prog', 'a1'])
  const argv0 = buildChain(input({ prlimit: ['--cpu=1:'], target: '/bin/prog', argv0: 'other' }))
  t.same(argv0.argv, ['/t/prlimit', '--cpu=1:', '--', '/t/perl', '-e', script, '--', '', '0', '0', '', '1', 'prog', '/bin/prog', 'other', 'a1'], 'a last perl stage sets argv[0]')
})

t.test('PERL5OPT is kept away from perl and put back by the last perl stage', async t => {
  const c = buildChain(input({ close: [0], env: { PERL5OPT: '-d', B: '2' } }))
  t.same(c.env, { B: '2', CHPST_SAVED_PERL5OPT: '-d' })
  t.same(buildChain(input({ prlimit: ['--cpu=1:'], env: { PERL5OPT: '-d' } })).env, { PERL5OPT: '-d' }, 'untouched without perl')
})

t.test('the perl stage runs: environment untouched, messages in runit\'s words', { skip: spawnSync('perl', ['-e', '1'], { env: cleanEnv() }).status === 0 ? false : 'perl missing' }, async t => {
  const dir = t.testdir()
  const c = buildChain(input({ tools: { ...TOOLS, perl: 'perl' }, close: [0], target: '/usr/bin/env', argv0: 'env', args: ['-0'], env: { "Q'X": '1', PWD: '/x', OPTIND: 'abc', PERL5OPT: '-w' } }))
  const r = spawnSync(c.file, c.argv.slice(1), { env: c.env, encoding: 'utf8' })
  const env = r.stdout.split('\0').filter(l => l !== '').sort()
  t.same(env, ['OPTIND=abc', 'PERL5OPT=-w', 'PWD=/x', "Q'X=1"])
  const missing = buildChain(input({ tools: { ...TOOLS, perl: 'perl' }, lock: { path: join(dir, 'no', 'lk'), wait: false }, target: '/bin/true' }))
  const m = spawnSync(missing.file, missing.argv.slice(1), { env: cleanEnv(), encoding: 'utf8' })
  t.equal(m.status, 111)
  t.equal(m.stderr, `chpst: fatal: unable to open lock: ${join(dir, 'no', 'lk')}: file does not exist\n`)
  const quiet = buildChain(input({ tools: { ...TOOLS, perl: 'perl' }, quiet: true, close: [2], target: '/nonexistent' }))
  t.equal(spawnSync(quiet.file, quiet.argv.slice(1), { env: cleanEnv() }).status, 0, 'quiet: exec failure exits 0')
})
