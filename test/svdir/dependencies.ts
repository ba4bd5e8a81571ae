// svdir/dependencies.ts: the file's lines, cycles and runsvdir's start order (pure parts).
import t from 'tap'
import { parseDependencies, findCycle, startOrder } from '../../build/svdir/dependencies.js'
import { instanceValue, validValue, isTemplateName } from '../../build/svdir/instances.js'

t.test('lines: NAME, NAME bind, comments; anything else is reported', async t => {
  t.same(parseDependencies('db\n\n# a comment\napi bind  # trailing\n'), { deps: [{ name: 'db', bind: false }, { name: 'api', bind: true }], errors: [] })
  t.same(parseDependencies('db after\nx bind y\n').errors, ['line 1: not NAME or NAME bind: db after', 'line 2: not NAME or NAME bind: x bind y'])
})

t.test('a cycle through the start, or none', async t => {
  const g: Record<string, string[]> = { web: ['api'], api: ['db'], db: ['web'], x: ['y'], y: [] }
  const edges = (n: string): string[] => g[n] ?? []
  t.same(findCycle('web', edges), ['web', 'api', 'db', 'web'])
  t.equal(findCycle('x', edges), null)
  t.same(findCycle('a', n => n === 'a' ? ['a'] : []), ['a', 'a'], 'itself')
})

t.test('start order: after what each needs, else as given; a cycle keeps going', async t => {
  const g: Record<string, string[]> = { web: ['api'], api: ['db'], cron: [] }
  t.same(startOrder(['web', 'cron', 'api', 'db'], n => n, n => g[n] ?? []), ['db', 'api', 'web', 'cron'])
  t.same(startOrder(['a', 'b'], n => n, n => n === 'a' ? ['b'] : ['a']), ['b', 'a'])
  t.same(startOrder(['web'], n => n, () => ['missing']), ['web'])
})

t.test('instance names', async t => {
  t.equal(instanceValue('/etc/sv/getty@tty1'), 'tty1')
  t.equal(instanceValue('/etc/sv/getty@'), null, 'a template has no value')
  t.equal(instanceValue('/etc/sv/getty'), null)
  t.equal(instanceValue('/etc/sv/@x'), null)
  t.ok(isTemplateName('getty@'))
  t.notOk(isTemplateName('@'))
  t.notOk(validValue('a/b'))
  t.notOk(validValue('..'))
  t.ok(validValue('tty1'))
})
