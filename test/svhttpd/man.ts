// man/svhttpd.8: listed in package.json, its SYNOPSIS is the program's USAGE, runit's section
// order, every metric family and every option documented.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, runBin } from '../helpers/bin.js'
import { USAGE } from '../../build/cli/svhttpd.js'
import { FAMILIES } from '../../build/svhttpd/metrics.js'

const page = readFileSync(join(ROOT, 'man', 'svhttpd.8'), 'utf8')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[], bin: Record<string, string> }

t.test('listed, synopsis, sections, families, options', async t => {
  t.ok(pkg.man.includes('man/svhttpd.8'))
  t.equal(pkg.bin.svhttpd, 'bin/svhttpd.js')
  const lines = page.split('\n')
  t.equal(lines[lines.indexOf('.SH SYNOPSIS') + 1], USAGE)
  const sections = [...page.matchAll(/^\.SH (.*)$/gm)].map(m => m[1])
  t.same(sections, ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'SECURITY', 'SIGNALS', 'ENVIRONMENT', 'EXIT CODES', 'SEE ALSO'])
  for (const f of FAMILIES) t.match(page, new RegExp(`\\b${f.name}\\b`), f.name)
  for (const o of USAGE.matchAll(/\[-(\w)/g)) t.match(page, new RegExp(`^\\.BI \\\\-${o[1]} `, 'm'), `-${o[1]}`)
})

t.test('usage errors and a token file that will not do', async t => {
  const u = await runBin('svhttpd', ['-x'])
  t.same([u.code, u.stderr], [100, `usage: ${USAGE}\n\n`], "runit's usage line")
  t.equal((await runBin('svhttpd', ['extra'])).code, 100)
  const base = t.testdir({ short: 'abc\n' })
  const short = await runBin('svhttpd', ['-p', '0', '-t', join(base, 'short')])
  t.same([short.code, short.stderr], [111, `svhttpd: fatal: token in ${join(base, 'short')} too short (16 characters at least)\n`])
  const none = await runBin('svhttpd', ['-p', '0', '-t', join(base, 'nosuch')])
  t.same([none.code, none.stderr], [111, `svhttpd: fatal: unable to read ${join(base, 'nosuch')}: file does not exist\n`])
})
