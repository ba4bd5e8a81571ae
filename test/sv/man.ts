// man/sv.8 documents what sv is: the SYNOPSIS is the usage line, every command word is described,
// sections come in runit's order.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { USAGE } from '../../build/cli/sv.js'

const page = readFileSync(join(ROOT, 'man', 'sv.8'), 'utf8')
/** roff source line → plain text: font escapes dropped, \- as -, macro name removed. */
const plain = (line: string): string => line.replace(/^\.\w+\s*/, '').replace(/\\f[BIRP]/g, '').replace(/\\-/g, '-')

t.test('SYNOPSIS is the usage line', async t => {
  const lines = page.split('\n')
  const at = lines.indexOf('.SH SYNOPSIS')
  t.ok(at >= 0)
  t.equal(plain(lines[at + 1] ?? ''), USAGE)
})

t.test('sections in runit\'s order', async t => {
  const sections = [...page.matchAll(/^\.SH (.*)$/gm)].map(m => m[1])
  const order = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'ENVIRONMENT', 'EXIT CODES', 'SEE ALSO']
  t.same(sections.filter(s => order.includes(s!)), order)
  t.ok(sections.includes('DIFFERENCES FROM RUNIT'))
})

t.test('every command word is there', async t => {
  const text = page.split('\n').map(plain).join('\n')
  for (const w of ['status', 'up', 'down', 'once', 'pause', 'cont', 'hup', 'alarm', 'interrupt', 'quit', '1', '2', 'term', 'kill', 'exit',
    'start', 'stop', 'reload', 'restart', 'shutdown', 'force-stop', 'force-reload', 'force-restart', 'force-shutdown', 'try-restart', 'check',
    'SVDIR', 'SVWAIT', '151']) {
    t.match(text, new RegExp(`(^|[\\s,(])${w}([\\s,.);]|$)`, 'm'), w)
  }
})
