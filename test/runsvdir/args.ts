import t from 'tap'
import { mkdirSync, existsSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, BIN } from '../helpers/bin.js'
import { stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { parseArgs, USAGE } from '../../build/cli/runsvdir.js'
import { startRunsvdir, makeService } from './tree.js'

t.test('runit\'s argument rules: only the first argument can be an option', async t => {
  t.same(parseArgs(['d']), { pgrp: false, oneProcess: false, dir: 'd', log: undefined, before: 1 })
  t.same(parseArgs(['-P', 'd', 'log: xxx', 'ignored']), { pgrp: true, oneProcess: false, dir: 'd', log: 'log: xxx', before: 2 })
  t.same(parseArgs(['-Pfoo', 'd']), { pgrp: true, oneProcess: false, dir: 'd', log: undefined, before: 2 }, '-P… sets -P')
  t.same(parseArgs(['--', 'd']), { pgrp: false, oneProcess: false, dir: 'd', log: undefined, before: 2 })
  t.same(parseArgs(['--x', 'd']), { pgrp: false, oneProcess: false, dir: 'd', log: undefined, before: 2 }, '--… is skipped')
  t.same(parseArgs(['-X', 'd']), { pgrp: false, oneProcess: false, dir: '-X', log: 'd', before: 1 }, 'an unknown option is the directory')
  t.same(parseArgs(['-', 'd']), { pgrp: false, oneProcess: false, dir: '-', log: 'd', before: 1 })
  t.same(parseArgs(['d', '-P']), { pgrp: false, oneProcess: false, dir: 'd', log: '-P', before: 1 }, 'no option after the directory')
  t.same(parseArgs(['-1', 'd']), { pgrp: false, oneProcess: true, dir: 'd', log: undefined, before: 2 }, '-1: one process')
  for (const argv of [[], ['-P'], ['--'], ['-Pq'], ['-1']]) t.throws(() => parseArgs(argv), { name: 'UsageError' }, JSON.stringify(argv))
})

t.test('usage: runit\'s line and an empty one, exit 1', async t => {
  t.equal(USAGE, 'runsvdir [-P] dir')
  for (const args of [[], ['-P'], ['--']]) {
    const r = await runBin('runsvdir', args)
    t.equal(r.code, 1, JSON.stringify(args))
    t.equal(r.stderr, `usage: ${join(BIN, 'runsvdir')} [-P] dir\n\n`)
    t.equal(r.stdout, '')
  }
})

t.test('a missing directory: runit\'s warning every second, then it is picked up when it appears', async t => {
  const base = t.testdir()
  const scan = join(base, 'later')
  const svc = join(scan, 'svc')
  const r = startRunsvdir(t, [scan], { services: [svc] })
  const line = `runsvdir ${scan}: warning: unable to stat ${scan}: file does not exist\n`
  await until(() => r.stderr().split(line).length - 1, n => n >= 2, { what: 'warnings' })
  t.equal(r.stderr().split(line).join(''), '', 'only that warning')
  mkdirSync(join(base, 'sv'))
  makeService(join(base, 'sv'), 'svc')
  renameSync(join(base, 'sv'), scan)
  await until(() => stat(svc), s => s === 'run\n', { what: 'stat' })
  t.ok(existsSync(join(scan, '.runsvdir.lock')), 'locked once it existed')
})

t.test('a regular file as the directory: runit\'s chdir warning', async t => {
  const base = t.testdir({ file: 'x' })
  const r = startRunsvdir(t, [join(base, 'file')])
  await until(() => r.stderr(), s => s.length > 0, { what: 'stderr' })
  t.match(r.stderr(), `runsvdir ${join(base, 'file')}: warning: unable to change directory to ${join(base, 'file')}: not a directory\n`)
})
