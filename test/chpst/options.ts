// chpst's argv → Plan, personalities included (pure, in-process).
import t from 'tap'
import { getopt } from '../../build/cli/getopt.js'
import { OPTION_SPEC, PlanUsage, makePlan, parseUserSpec, personalityOf, progName, usageLine, type Personality, type Plan } from '../../build/chpst/options.js'

function plan (invokedAs: string, argv: string[]): Plan {
  const progname = progName(invokedAs)
  const p = personalityOf(progname)
  const spec = OPTION_SPEC[p]
  return makePlan(p, progname, spec === undefined ? { order: [], rest: argv } : getopt(argv, spec))
}

function usage (invokedAs: string, argv: string[]): { usageOf: Personality, version: boolean, message: string } {
  try {
    plan(invokedAs, argv)
  } catch (err) {
    if (err instanceof PlanUsage) return { usageOf: err.usageOf, version: err.version, message: err.message }
    if (err instanceof Error && err.name === 'UsageError') return { usageOf: personalityOf(progName(invokedAs)), version: false, message: err.message }
    throw err
  }
  throw new Error(`no usage error for ${invokedAs} ${argv.join(' ')}`)
}

t.test('personality comes from argv0 with one leading d stripped', async t => {
  t.equal(progName('dsetlock'), 'setlock')
  t.equal(progName('ddsetlock'), 'dsetlock')
  t.equal(progName('chpst'), 'chpst')
  t.equal(personalityOf('setlock'), 'setlock')
  t.equal(personalityOf('dsetlock'), 'chpst', 'only after stripping')
  t.equal(personalityOf('xchpst'), 'chpst')
  for (const p of ['envdir', 'envuidgid', 'pgrphack', 'setuidgid', 'softlimit', 'setlock']) t.equal(personalityOf(p), p)
})

t.test('chpst options map onto the plan', async t => {
  const p = plan('chpst', ['-vP012', '-u', 'nobody:adm', '-U', ':5:6', '-b', 'name', '-e', 'env', '-/', '/r', '-n', '-5', '-l', 'lk', 'prog', '-x', 'arg'])
  t.equal(p.verbose, true)
  t.equal(p.setsid, true)
  t.same(p.close, { stdin: true, stdout: true, stderr: true })
  t.same(p.user, { kind: 'user-groups', name: 'nobody', groups: ['adm'], spec: 'nobody:adm' })
  t.same(p.envUser, { kind: 'ids', uid: 5, gids: [6] })
  t.equal(p.argv0, 'name')
  t.same(p.envdir, { dir: 'env', subdirs: 'skip' })
  t.equal(p.root, '/r')
  t.equal(p.nice, -5)
  t.same(p.lock, { path: 'lk', wait: true })
  t.same(p.program, ['prog', '-x', 'arg'], 'options stop at the first operand')
})

t.test('limits: -m is four resources, a later option overrides part of it', async t => {
  t.same(plan('chpst', ['-m', '100', 'p']).limits, { data: 100n, stack: 100n, memlock: 100n, as: 100n })
  t.same(plan('chpst', ['-m', '100', '-d', '50', 'p']).limits, { data: 50n, stack: 100n, memlock: 100n, as: 100n })
  t.same(plan('chpst', ['-d', '50', '-m', '100', 'p']).limits, { data: 100n, stack: 100n, memlock: 100n, as: 100n })
  t.same(plan('chpst', ['-o', '1', '-p', '2', '-f', '3', '-c', '4', '-r', '5', '-t', '6', 'p']).limits,
    { nofile: 1n, nproc: 2n, fsize: 3n, core: 4n, rss: 5n, cpu: 6n })
  t.same(plan('chpst', ['-o', '', 'p']).limits, { nofile: 0n }, 'an empty number is 0, as runit scans it')
  t.same(plan('chpst', ['-o', '18446744073709551626', 'p']).limits, { nofile: 10n }, 'wraps at 2^64 like unsigned long')
  t.same(plan('softlimit', ['-a', '1', '-l', '2', '-s', '3', '-o', '=', 'p']).limits, { as: 1n, memlock: 2n, stack: 3n, nofile: 'hard' })
  t.same(plan('softlimit', ['-m', '=', 'p']).limits, { data: 'hard', stack: 'hard', memlock: 'hard', as: 'hard' })
})

t.test('-n accepts -k, +k and k; later wins; int arithmetic like runit', async t => {
  t.equal(plan('chpst', ['-n', '+3', 'p']).nice, 3)
  t.equal(plan('chpst', ['-n', '3', 'p']).nice, 3)
  t.equal(plan('chpst', ['-n', '-3', 'p']).nice, -3)
  t.equal(plan('chpst', ['-n', '3', '-n', '4', 'p']).nice, 4)
  t.equal(plan('chpst', ['-n', '-', 'p']).nice, 0)
  t.equal(plan('chpst', ['-n', '4294967295', 'p']).nice, -1)
})

t.test('user specs', async t => {
  t.same(parseUserSpec('nobody'), { kind: 'user', name: 'nobody', spec: 'nobody' })
  t.same(parseUserSpec('nobody:adm:daemon'), { kind: 'user-groups', name: 'nobody', groups: ['adm', 'daemon'], spec: 'nobody:adm:daemon' })
  t.same(parseUserSpec('nobody:'), { kind: 'user-groups', name: 'nobody', groups: [''], spec: 'nobody:' })
  t.same(parseUserSpec(':1:2:3'), { kind: 'ids', uid: 1, gids: [2, 3] })
  t.same(parseUserSpec(':1234:'), { kind: 'ids', uid: 1234, gids: [0] }, 'empty gid is 0')
  t.same(parseUserSpec('::5'), { kind: 'ids', uid: 0, gids: [5] })
  t.same(parseUserSpec(':99999999999:1'), { kind: 'ids', uid: 1215752191, gids: [1] }, 'uid_t is 32 bits')
  t.same(parseUserSpec(':1234'), { kind: 'invalid', text: '1234' }, 'the colon after the uid is mandatory')
  t.same(parseUserSpec(':'), { kind: 'invalid', text: '' })
  t.same(parseUserSpec(':1x:2'), { kind: 'invalid', text: '1x:2' })
  t.same(parseUserSpec(':1:abc'), { kind: 'invalid', text: '1:abc' })
})

t.test('usage errors', async t => {
  t.match(usage('chpst', []), { usageOf: 'chpst', version: false })
  t.match(usage('chpst', ['-v']), { usageOf: 'chpst' }, 'no program')
  t.match(usage('chpst', ['-x', 'p']), { message: 'illegal option -- x' })
  t.match(usage('chpst', ['-u']), { message: 'option requires an argument -- u' })
  t.match(usage('chpst', ['-m', '1x', 'p']), { usageOf: 'chpst' })
  t.match(usage('chpst', ['-n', '+-1', 'p']), { usageOf: 'chpst' })
  t.match(usage('chpst', ['-l', 'a', '-L', 'b', 'p']), { usageOf: 'chpst' }, '-l with -L')
  t.match(usage('chpst', ['-l', 'a', '-l', 'b', 'p']), { usageOf: 'chpst' }, 'two locks')
  t.match(usage('chpst', ['-V', 'p']), { usageOf: 'chpst', version: true })
  t.match(usage('chpst', ['-V']), { version: true }, '-V wins over a missing program')
  t.match(usage('softlimit', ['-m', '1x', 'p']), { usageOf: 'chpst' }, "softlimit's bad number prints chpst's usage")
  t.match(usage('softlimit', ['-o', '=5', 'p']), { usageOf: 'chpst' })
  t.match(usage('softlimit', ['-z', 'p']), { usageOf: 'softlimit', message: 'illegal option -- z' })
  t.match(usage('softlimit', ['-o', '5']), { usageOf: 'softlimit' })
  t.match(usage('setlock', ['lk']), { usageOf: 'setlock' })
  t.match(usage('setlock', ['-z', 'lk', 'p']), { usageOf: 'setlock' })
  t.match(usage('envdir', ['dir']), { usageOf: 'envdir' })
  t.match(usage('envuidgid', ['acct']), { usageOf: 'envuidgid' })
  t.match(usage('setuidgid', []), { usageOf: 'setuidgid' })
  t.match(usage('pgrphack', []), { usageOf: 'pgrphack' })
})

t.test('personalities', async t => {
  t.same(plan('envdir', ['-x', 'p']).envdir, { dir: '-x', subdirs: 'fatal' }, 'envdir parses no options')
  t.same(plan('envdir', ['d', 'p', 'a']).program, ['p', 'a'])
  t.same(plan('setuidgid', ['--', 'p']).user, { kind: 'account', name: '--' })
  t.same(plan('envuidgid', ['nobody', 'p']).envUser, { kind: 'account', name: 'nobody' })
  t.equal(plan('pgrphack', ['p']).setsid, true)
  t.same(plan('pgrphack', ['-x']).program, ['-x'])
  const sl = plan('setlock', ['lk', 'p'])
  t.same(sl.lock, { path: 'lk', wait: false }, 'setlock does not wait by default')
  t.equal(sl.quietFailure, false)
  t.same(plan('setlock', ['-n', 'lk', 'p']).lock, { path: 'lk', wait: true }, '-n waits (inverted vs daemontools)')
  t.same(plan('setlock', ['-nN', 'lk', 'p']).lock, { path: 'lk', wait: false }, 'last of -n/-N wins')
  t.equal(plan('setlock', ['-x', 'lk', 'p']).quietFailure, true)
  t.equal(plan('setlock', ['-xX', 'lk', 'p']).quietFailure, false)
  t.same(plan('setlock', ['--', 'lk', 'p']).program, ['p'])
})

t.test('usage lines are runit\'s', async t => {
  t.equal(usageLine('chpst', 'chpst'), 'chpst [-vVP012] [-u user[:group]] [-U user[:group]] [-b argv0] [-e dir] [-/ root] [-n nice] [-l|-L lock] [-m n] [-d n] [-o n] [-p n] [-f n] [-c n] [-t n] prog')
  t.match(usageLine('chpst', 'xchpst'), /^xchpst \[-vVP012\]/)
  t.equal(usageLine('setlock', 'setlock'), 'setlock [ -nNxX ] file program [ arg ... ]')
  t.equal(usageLine('envdir', 'envdir'), 'envdir dir child')
})
