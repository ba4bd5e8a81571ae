// chpst(8): the SYNOPSIS is the usage line, and every personality is documented.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { runChpst } from '../helpers/chpst.js'
import { usageLine } from '../../build/chpst/options.js'

const page = readFileSync(join(ROOT, 'man', 'chpst.8'), 'utf8')
const text = (roff: string): string => roff.split('\n').map(l => l.replace(/^\.[BI]R? /, '')).join(' ').replaceAll('\\-', '-').replace(/\\f[BIR]/g, '').trim()

t.test('SYNOPSIS is the usage line chpst prints', async t => {
  const synopsis = text(/\.SH SYNOPSIS\n([\s\S]*?)\n\.SH/.exec(page)![1]!)
  const usage = (await runChpst([])).stderr.replace(/^usage: /, '').trim()
  t.equal(synopsis, usage)
})

t.test('EMULATION gives each personality with its usage line', async t => {
  const emulation = /\.SH EMULATION\n([\s\S]*?)\n\.SH/.exec(page)![1]!
  for (const p of ['envdir', 'envuidgid', 'pgrphack', 'setuidgid', 'setlock', 'softlimit'] as const) {
    const entry = new RegExp(`^\\.B ${p} (.*)$`, 'm').exec(emulation)
    t.ok(entry, p)
    t.equal(`${p} ${text(entry?.[1] ?? '')}`, usageLine(p, p), `${p} usage`)
  }
})

t.test('sections in runit\'s order', async t => {
  const sections = [...page.matchAll(/^\.SH (.*)$/gm)].map(m => m[1])
  t.same(sections.slice(0, 4), ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS'])
  t.ok(sections.indexOf('EXIT CODES') < sections.indexOf('SEE ALSO'))
  t.equal(sections.at(-1), 'SEE ALSO')
})
