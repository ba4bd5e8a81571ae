// The entry plumbing (lib/cli/main.ts): runMain turns main's outcome into output and an exit code.
import t from 'tap'
import { runMain, versionLine, EXIT_INTERNAL, type Io, type Program } from '../../build/cli/main.js'
import { SysError, UsageError, errnoError } from '../../build/errors/errors.js'

function fakeIo (argv: string[] = []): Io & { out: () => string, err: () => string } {
  let out = ''
  let err = ''
  return {
    argv,
    argv0: 'demo',
    invokedAs: 'demo',
    env: {},
    cwd: '/',
    stdout: s => { out += s },
    stderr: s => { err += s },
    out: () => out,
    err: () => err
  }
}

function program (main: Program['main'], who?: Program['who']): Program {
  return { name: 'demo', usage: io => `${io.argv0} [-v] dir`, exit: { usage: 1, fatal: 111 }, who, main }
}

t.test('main\'s code is the exit code', async t => {
  const io = fakeIo()
  t.equal(await runMain(program(async io => { io.stdout('hi\n'); return 3 }), io), 3)
  t.equal(io.out(), 'hi\n')
  t.equal(io.err(), '')
})

t.test('a UsageError prints the usage line and exits with the usage code', async t => {
  const io = fakeIo()
  t.equal(await runMain(program(async () => { throw new UsageError() }), io), 1)
  t.equal(io.err(), 'usage: demo [-v] dir\n\n')
})

t.test('a SysError is a fatal line in runit\'s grammar, with the program\'s context', async t => {
  const io = fakeIo(['/srv/x'])
  const prog = program(async () => { throw new SysError('unable to lock supervise/lock', errnoError('EAGAIN')) }, io => `demo ${io.argv[0]!}`)
  t.equal(await runMain(prog, io), 111)
  t.equal(io.err(), 'demo /srv/x: fatal: unable to lock supervise/lock: temporary failure\n')
  const bare = fakeIo()
  t.equal(await runMain(program(async () => { throw new SysError('no functional log directories.', undefined) }), bare), 111)
  t.equal(bare.err(), 'demo: fatal: no functional log directories.\n', 'no reason without a cause; the name without who()')
})

t.test('anything else is an internal error: exit 101 and "please report"', async t => {
  const io = fakeIo()
  t.equal(await runMain(program(async () => { throw new TypeError('x is not a function') }), io), EXIT_INTERNAL)
  t.equal(EXIT_INTERNAL, 101, "s6's code")
  t.match(io.err(), /^demo: internal error: TypeError: x is not a function\n {4}at [^]*: please report\n$/, 'the stack, then please report')
  const thrown = fakeIo()
  t.equal(await runMain(program(async () => { throw 'a string' }), thrown), 101)
  t.equal(thrown.err(), 'demo: internal error: a string: please report\n')
})

t.test('versionLine names runit-ts and the package version', async t => {
  t.match(versionLine('sv'), /^\$Id: runit-ts sv \d+\.\d+\.\d+ \$$/)
})
