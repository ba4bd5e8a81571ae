// man/tai64nlocal.8: listed in package.json, its SYNOPSIS is the program's USAGE, runit's section order.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { USAGE } from '../../build/cli/tai64nlocal.js'

const page = readFileSync(join(ROOT, 'man', 'tai64nlocal.8'), 'utf8')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[], bin: Record<string, string> }

t.test('listed, synopsis, sections', async t => {
  t.ok(pkg.man.includes('man/tai64nlocal.8'))
  t.equal(pkg.bin.tai64nlocal, 'bin/tai64nlocal.js')
  const lines = page.split('\n')
  t.equal(lines[lines.indexOf('.SH SYNOPSIS') + 1], USAGE)
  const sections = [...page.matchAll(/^\.SH (.*)$/gm)].map(m => m[1])
  t.same(sections, ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'ENVIRONMENT', 'EXIT CODES', 'DIFFERENCES FROM DAEMONTOOLS', 'SEE ALSO'])
})
