// The package as npm ships it: package.json's exports, types, engines and files; `npm pack`, then
// `npm install -g --prefix` of the tarball: every program on PATH, and man finding its pages.
import t from 'tap'
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { PATH } from '../helpers/clean-env.js'
import { pack, run, npmEnv } from '../helpers/pack.js'

interface Pkg {
  name: string
  type: string
  main: string
  types: string
  engines: { node: string }
  files: string[]
  bin: Record<string, string>
  man: string[]
  exports: Record<string, unknown>
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Pkg

/** What each program does with these arguments (stdin /dev/null): runit's usage code, or 0. */
const SMOKE: Record<string, { args: string[], code: number, stderr: RegExp }> = {
  runsvdir: { args: [], code: 1, stderr: /^usage: runsvdir / },
  runsv: { args: [], code: 1, stderr: /^usage: runsv dir/ },
  sv: { args: [], code: 100, stderr: /^usage: sv / },
  svlogd: { args: [], code: 111, stderr: /^usage: svlogd / },
  chpst: { args: [], code: 100, stderr: /^usage: chpst / },
  tai64nlocal: { args: [], code: 0, stderr: /^$/ },
  svhttpd: { args: ['-x'], code: 100, stderr: /^usage: svhttpd / },
  // not without arguments: that would run /etc/runit's stages
  runit: { args: ['-x'], code: 100, stderr: /^usage: runit / }
}

t.test('package.json: exports, types, engines, files, bin, man', async t => {
  t.equal(pkg.type, 'module')
  t.same(pkg.exports, {
    '.': {
      import: { types: './build/api/index.d.ts', default: './build/api/index.js' },
      require: { types: './build/api/index.d.cts', default: './build/api/index.cjs' }
    },
    './package.json': './package.json'
  }, 'import and require, each with its types first')
  t.equal(pkg.types, './build/api/index.d.ts')
  t.equal(pkg.main, './build/api/index.cjs', 'for tools that predate exports')
  t.equal(pkg.engines.node, '>=20.19', 'STYLE.md: Node >= 20.19')
  const [major, minor] = process.versions.node.split('.').map(Number)
  t.ok(major! > 20 || (major === 20 && minor! >= 19), 'this Node satisfies engines')
  t.same(pkg.files.sort(), ['bin', 'build', 'man', 'sv-examples'])
  t.same(Object.keys(pkg.bin).sort(), Object.keys(SMOKE).sort(), 'every program, and this test knows each')
  for (const [name, path] of Object.entries(pkg.bin)) {
    t.equal(path, `bin/${name}.js`)
    t.ok(statSync(join(ROOT, path)).mode & 0o111, `${path} is executable`)
    t.ok(pkg.man.includes(`man/${name}.8`), `${name}(8) listed`)
  }
  for (const m of pkg.man) t.ok(existsSync(join(ROOT, m)), m)
})

t.test('npm pack, npm install -g --prefix: programs on PATH, man pages, the API', { timeout: 240000 }, async t => {
  const base = t.testdir()
  const tarball = await pack(base)
  const listed = await run('tar', ['tzf', tarball], { cwd: base })
  const files = listed.stdout.split('\n').map(f => f.replace(/^package\//, ''))
  for (const f of ['build/api/index.js', 'build/api/index.cjs', 'build/api/index.d.ts', 'build/api/index.d.cts', 'README.md']) {
    t.ok(files.includes(f), `the tarball has ${f}`)
  }
  for (const name of Object.keys(pkg.bin)) t.ok(files.includes(`build/bin/${name}.cjs`), `the tarball has ${name}'s bundle`)
  t.notOk(files.some(f => /^(lib|test|node_modules|\.tap|\.cache)\//.test(f)), 'no sources, tests or caches')

  const prefix = join(base, 'prefix')
  const inst = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: base })
  t.equal(inst.code, 0, `npm install -g: ${inst.stderr}`)
  const env = npmEnv({ PATH: `${join(prefix, 'bin')}:${PATH}` })
  for (const [name, s] of Object.entries(SMOKE)) {
    const where = await run('sh', ['-c', 'command -v "$1"', 'sh', name], { cwd: base, env })
    t.equal(where.stdout.trim(), join(prefix, 'bin', name), `${name} on PATH from the prefix`)
    const r = await run('sh', ['-c', '"$@" </dev/null', 'sh', name, ...s.args], { cwd: base, env })
    t.equal(r.code, s.code, `${name} runs (exit ${s.code})`)
    t.match(r.stderr, s.stderr, name)
  }

  // README: `npx -p runit-ts sv ...` runs a program of the package without installing it.
  const empty = join(base, 'service')
  mkdirSync(empty)
  const npx = await run('npx', ['--yes', '-p', tarball, 'sv', 'list'], { cwd: base, env: npmEnv({ SVDIR: empty }) })
  t.same([npx.code, npx.stderr], [0, ''], 'npx -p PACKAGE sv list')
  t.match(npx.stdout, /^NAME +STATE +PID/, 'sv list\'s table (an empty one)')

  const manDir = join(prefix, 'share', 'man')
  for (const name of Object.keys(pkg.bin)) t.ok(existsSync(join(manDir, 'man8', `${name}.8`)), `${manDir}/man8/${name}.8`)
  const hasMan = (await run('sh', ['-c', 'command -v man'], { cwd: base, env })).code === 0
  await t.test(`man -M ${manDir}`, { skip: hasMan ? false : 'no man(1) here (apt-get install man-db)' }, async t => {
    const man = await run('man', ['-M', manDir, '-P', 'cat', 'sv'], { cwd: base, env: { ...env, MANWIDTH: '80' } })
    t.equal(man.code, 0, `man -M ${manDir} sv: ${man.stderr}`)
    t.match(man.stdout, /NAME\s+sv - /, 'sv(8)')
    t.match((await run('man', ['-M', manDir, '-P', 'cat', '8', 'svhttpd'], { cwd: base, env })).stdout, /NAME\s+svhttpd - /)
  })

  const api = await run(process.execPath, ['-e', "console.log(typeof require('runit-ts').Service)"],
    { cwd: base, env: { ...env, NODE_PATH: join(prefix, 'lib', 'node_modules') } })
  t.equal(api.stdout, 'function\n', 'the API from the global install')
})
