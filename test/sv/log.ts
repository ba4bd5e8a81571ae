// sv log [-f] [-n N]: log directories found in log/run, last lines with local stamps, several
// services merged in time order, -f across a rotation (sv(8), LOG).
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sv } from '../helpers/sv.js'
import { serviceIn } from '../helpers/svdir.js'
import { startBin } from '../helpers/bin.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { until } from '../helpers/until.js'
import { startSvlogd, feed, readCurrent, rotated } from '../helpers/svlogd.js'
import { svlogdDirs, stampKey, localText } from '../../build/sv/log.js'

t.test('the directories svlogd is given in log/run', async t => {
  const L = '/srv/x/log'
  t.same(svlogdDirs('#!/bin/sh\nexec svlogd -tt ./main\n', L), [`${L}/main`])
  t.same(svlogdDirs('#!/bin/sh\nexec chpst -ulog svlogd -t -l 200 -b2048 /var/log/x main2 # comment\n', L), ['/var/log/x', `${L}/main2`])
  t.same(svlogdDirs("exec svlogd -r _ -R 'ab' -- 'my dir'", L), [`${L}/my dir`])
  t.same(svlogdDirs('exec /usr/bin/svlogd -v "$DIR" ./a; echo done', L), [`${L}/a`], 'expansions are left out')
  t.same(svlogdDirs('exec cat >/dev/null\n', L), [])
})

t.test('stamps: keys and local text', async t => {
  t.equal(stampKey('@400000006932f5c10a3b2c1c x'), 1764947383n * 1_000_000_000n + 171650076n)
  t.equal(stampKey('2025-12-05_15:09:43.17165 x'), 1764947383n * 1_000_000_000n + 171650000n)
  t.equal(stampKey('2025-12-05T15:09:43.17165 x'), stampKey('2025-12-05_15:09:43.17165 x'))
  t.equal(stampKey('no stamp'), null)
  t.equal(localText('plain'), 'plain')
})

function logged (base: string, name: string, files: Record<string, string>): void {
  serviceIn(base, { name, run: 'exec sleep 1000', log: 'exec svlogd -t ./main' })
  const main = join(base, name, 'log', 'main')
  mkdirSync(main)
  for (const [f, text] of Object.entries(files)) writeFileSync(join(main, f), text)
}

t.test('last lines, local time, several services merged in time order', async t => {
  const base = t.testdir()
  logged(base, 'a', {
    '@400000006932f5c40a3b2c1c.s': '@400000006932f5c10a3b2c1c a1\n@400000006932f5c30a3b2c1c a2\n',
    current: '@400000006932f5c50a3b2c1c a3\nno stamp\n'
  })
  logged(base, 'b', { current: '@400000006932f5c20000000b b1\n@400000006932f5c60000000b b2\n' })
  const env = cleanEnv({ SVDIR: base, TZ: 'UTC' })
  const one = await sv('ours', ['log', 'a'], { env })
  t.same([one.code, one.stdout], [0, '2025-12-05 15:09:43.171650076 a1\n2025-12-05 15:09:45.171650076 a2\n' +
    '2025-12-05 15:09:47.171650076 a3\nno stamp\n'], 'rotated files first, then current; one service: no prefix')
  const two = await sv('ours', ['log', '-n', '2', 'a', 'b'], { env })
  t.equal(two.stdout, 'b: 2025-12-05 15:09:44.000000011 b1\na: 2025-12-05 15:09:47.171650076 a3\na: no stamp\n' +
    'b: 2025-12-05 15:09:48.000000011 b2\n', 'the last 2 of each, by time, named')
  const ny = await sv('ours', ['log', '-n1', 'b'], { env: cleanEnv({ SVDIR: base, TZ: 'America/New_York' }) })
  t.equal(ny.stdout, '2025-12-05 10:09:48.000000011 b2\n')
  const bad = await sv('ours', ['log', 'a', 'nosuch'], { env })
  t.equal(bad.code, 1)
  t.match(bad.stdout, /^warning: nosuch: unable to read log\/run: file does not exist\n/)
  t.equal((await sv('ours', ['log'], { env })).code, 100, 'a service is needed')
})

t.test('-f follows current across a rotation', async t => {
  const base = t.testdir()
  serviceIn(base, { name: 'svc', run: 'exec sleep 1000', log: 'exec svlogd -t ./main' })
  const main = join(base, 'svc', 'log', 'main')
  mkdirSync(main)
  const logger = startSvlogd(t, ['-t', main])
  await feed(logger, 'one\n')
  await until(() => readCurrent(main), c => c.endsWith(' one\n'), { what: 'current' })
  const follow = startBin(t, 'sv', ['log', '-f', 'svc'], { env: cleanEnv({ SVDIR: base, TZ: 'UTC' }) })
  const lines = (): string[] => follow.stdout().split('\n').filter(Boolean).map(l => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} /, ''))
  await until(lines, l => l.join() === 'one', { what: 'sv log -f' })
  await feed(logger, 'two\n')
  await until(lines, l => l.join() === 'one,two', { what: 'sv log -f' })
  await feed(logger, 'three\n')
  logger.child.kill('SIGALRM') // svlogd rotates current now
  await until(() => rotated(main).length, n => n === 1, { what: 'rotated files' })
  await feed(logger, 'four\n')
  await until(lines, l => l.join() === 'one,two,three,four', { what: 'sv log -f' })
  await feed(logger, 'five\n')
  await until(lines, l => l.join() === 'one,two,three,four,five', { what: 'sv log -f' })
  t.match(follow.stdout(), /^2\d{3}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} one\n/, 'local time stamps')
})
