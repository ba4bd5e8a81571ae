// The dependency arrows of STYLE.md §1.3, checked on the import lines of lib/.
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve } from 'node:path'
import { ROOT } from './helpers/bin.js'

const LIB = join(ROOT, 'lib')
const PROGRAMS = ['runsv', 'runsvdir', 'sv', 'svlogd', 'chpst', 'init']
/** Built on sv's library (sv list's facts, its control client): the HTTP program and the API. */
const ON_SV = ['svhttpd', 'api']
const WRAPPED = ['chokidar', 'proper-lockfile', 'execa', 'fs-extra', 'koffi']

function files (dir: string): string[] {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const layer = (file: string): string => relative(LIB, file).split('/')[0]!

/** Every way lib/ loads a module: import/export … from, await import(…), process.getBuiltinModule(…). */
const IMPORTS = /^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\bprocess\.getBuiltinModule\(\s*['"]([^'"]+)['"]\s*\)/gm

t.test('the import pattern sees every form', async t => {
  const src = "import { a } from './a.js'\nconst { b } = await import('../svdir/b.js')\nprocess.getBuiltinModule('node:child_process')\n"
  t.same([...src.matchAll(IMPORTS)].map(m => m[1] ?? m[2] ?? m[3]), ['./a.js', '../svdir/b.js', 'node:child_process'])
})

t.test('imports point down the layers', async t => {
  for (const file of files(LIB)) {
    const from = layer(file)
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(IMPORTS)) {
      const spec = (m[1] ?? m[2] ?? m[3])!
      const where = `${relative(ROOT, file)} imports ${spec}`
      if (spec.startsWith('.')) {
        const to = layer(resolve(dirname(file), spec))
        if (to === from || to === 'errors') continue
        const allowed: Record<string, string[]> = {
          protocol: [],
          os: [],
          errors: [],
          svdir: ['protocol', 'os'],
          cli: ['protocol', 'svdir', 'os', ...PROGRAMS, ...ON_SV],
          ...Object.fromEntries(ON_SV.map(l => [l, ['protocol', 'svdir', 'os', 'sv']]))
        }
        const ok = PROGRAMS.includes(from) ? ['protocol', 'svdir', 'os'].includes(to) : (allowed[from] ?? []).includes(to)
        t.ok(ok, where)
      } else if (WRAPPED.some(w => spec === w || spec.startsWith(w + '/'))) {
        t.equal(from, 'os', `${where}: npm packages are wrapped in lib/os`)
      } else if (from === 'protocol') {
        t.notOk(/^node:(fs|child_process|net)/.test(spec), `${where}: protocol/ stays pure`)
      }
    }
  }
})

t.test('only lib/cli writes to stdout/stderr or sets the exit status', async t => {
  for (const file of files(LIB)) {
    if (layer(file) === 'cli') continue
    const src = readFileSync(file, 'utf8')
    t.notMatch(src, /process\.(stdout|stderr)\.write|process\.exit|console\.(log|error)/, relative(ROOT, file))
  }
})
