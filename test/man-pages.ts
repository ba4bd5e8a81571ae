// Each program's man page exists, is listed in package.json, and its SYNOPSIS names its usage.
import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, runBin } from './helpers/bin.js'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[] }

t.test('runsv(8) matches the usage line', async t => {
  const page = join(ROOT, 'man', 'runsv.8')
  t.ok(existsSync(page))
  t.ok(pkg.man.includes('man/runsv.8'), 'listed in package.json')
  const synopsis = /\.SH SYNOPSIS\n([\s\S]*?)\n\.SH/.exec(readFileSync(page, 'utf8'))![1]!
    .split('\n').map(l => l.replace(/^\.[BI]R? /, '')).join(' ')
  const usage = (await runBin('runsv', [])).stderr.replace(/^usage: .*?runsv /, 'runsv ').trim()
  t.equal(synopsis, usage)
})

t.test('runit(8) matches the usage line', async t => {
  const page = join(ROOT, 'man', 'runit.8')
  t.ok(pkg.man.includes('man/runit.8'), 'listed in package.json')
  const synopsis = /\.SH SYNOPSIS\n([\s\S]*?)\n\.SH/.exec(readFileSync(page, 'utf8'))![1]!
    .split('\n').map(l => l.replace(/^\.[BI]R? /, '').replaceAll('\\-', '-')).join(' ')
  const usage = (await runBin('runit', ['--bogus'])).stderr.replace(/^usage: .*?runit /, 'runit ').trim()
  t.equal(synopsis, usage)
})
