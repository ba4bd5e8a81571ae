import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { diff, isCandidate, type Seen, type RunsvState } from '../../build/runsvdir/scan.js'
import { readEntries } from '../../build/runsvdir/runsvdir.js'
import { errnoError } from '../../build/errors/errors.js'
import { cleanEnv } from '../helpers/clean-env.js'

const dir = (name: string, id: string): Seen => ({ name, kind: 'dir', id })
const none = new Map<string, RunsvState>()
const noRetiring = new Set<string>()

t.test('new directories start, in readdir order', async t => {
  const plan = diff({ known: none, retiring: noRetiring, seen: [dir('b', '1:2'), dir('a', '1:3')] })
  t.same(plan.start, [{ id: '1:2', name: 'b', isNew: true }, { id: '1:3', name: 'a', isNew: true }])
  t.same(plan.remove, [])
  t.equal(plan.recheck, true, 'a start asks for another look (runit sets check)')
})

t.test('plain files and other non-directories are ignored silently', async t => {
  const plan = diff({ known: none, retiring: noRetiring, seen: [{ name: 'file', kind: 'other' }] })
  t.same(plan, { start: [], remove: [], warnings: [], recheck: false })
})

t.test('dot names are never candidates, even if handed in', async t => {
  t.equal(isCandidate('.lock'), false)
  t.equal(isCandidate('.'), false)
  t.equal(isCandidate('a.b'), true)
  const plan = diff({ known: none, retiring: noRetiring, seen: [dir('.hidden', '1:9')] })
  t.same(plan.start, [])
})

t.test('a failed stat is a warning naming the entry, and no start', async t => {
  const error = errnoError('ENOENT', 'x')
  const plan = diff({ known: none, retiring: noRetiring, seen: [{ name: 'dangling', kind: 'error', error }] })
  t.same(plan.start, [])
  t.equal(plan.warnings.length, 1)
  t.equal(plan.warnings[0]!.msg, 'unable to stat dangling')
  t.equal(plan.warnings[0]!.err, error)
})

t.test('two names for one directory get one runsv, under the first name', async t => {
  const plan = diff({ known: none, retiring: noRetiring, seen: [dir('link2', '5:5'), dir('link1', '5:5')] })
  t.same(plan.start, [{ id: '5:5', name: 'link2', isNew: true }])
})

t.test('known and running: nothing to do, nothing to recheck', async t => {
  const plan = diff({ known: new Map([['1:2', 'up']]), retiring: noRetiring, seen: [dir('a', '1:2')] })
  t.same(plan, { start: [], remove: [], warnings: [], recheck: false })
})

t.test('known without a runsv: start again under the current name', async t => {
  const plan = diff({ known: new Map([['1:2', 'down']]), retiring: noRetiring, seen: [dir('renamed', '1:2')] })
  t.same(plan.start, [{ id: '1:2', name: 'renamed', isNew: false }])
})

t.test('known, held by the restart delay: not yet', async t => {
  const plan = diff({ known: new Map([['1:2', 'held']]), retiring: noRetiring, seen: [dir('a', '1:2')] })
  t.same(plan.start, [])
  t.same(plan.remove, [])
})

t.test('gone from the directory: removed, whatever its state', async t => {
  const known = new Map<string, RunsvState>([['1:1', 'up'], ['1:2', 'held'], ['1:3', 'down'], ['1:4', 'up']])
  const plan = diff({ known, retiring: noRetiring, seen: [dir('d', '1:4')] })
  t.same(plan.remove.sort(), ['1:1', '1:2', '1:3'])
  t.equal(plan.recheck, true)
})

t.test('a directory whose old runsv still stops waits for it', async t => {
  const plan = diff({ known: none, retiring: new Set(['7:7']), seen: [dir('back', '7:7')] })
  t.same(plan.start, [])
  t.equal(plan.recheck, true, 'looked at again soon')
})

t.test('the table limit refuses new services with runit\'s warning', async t => {
  const known = new Map<string, RunsvState>([['1:1', 'up']])
  const plan = diff({ known, retiring: noRetiring, limit: 2, seen: [dir('a', '1:1'), dir('b', '1:2'), dir('c', '1:3')] })
  t.same(plan.start.map(s => s.name), ['b'])
  t.same(plan.warnings, [{ msg: 'unable to start runsv c: too many services.' }])
})

t.test('removals make room in the same scan', async t => {
  const known = new Map<string, RunsvState>([['1:1', 'up'], ['1:2', 'up']])
  const plan = diff({ known, retiring: noRetiring, limit: 2, seen: [dir('a', '1:1'), dir('new', '1:9')] })
  t.same(plan.remove, ['1:2'])
  t.same(plan.start.map(s => s.name), ['new'])
  t.same(plan.warnings, [])
})

t.test('the directory is read in its own order (readdir(3), ls -U), not sorted', async t => {
  const dir = t.testdir()
  const names = Array.from({ length: 50 }, (_, i) => `s${i}`)
  for (const n of names) writeFileSync(join(dir, n), '')
  mkdirSync(join(dir, '.hidden'))
  const raw = execFileSync('ls', ['-U', '-A', dir], { env: cleanEnv(), encoding: 'latin1' }).trim().split('\n')
  if (raw.join() === [...raw].sort().join()) t.comment('ls -U lists them sorted here: this run cannot tell the two orders apart')
  t.same(readEntries(dir), { ok: true, names: raw })
})

t.test('a directory that cannot be opened is runit\'s "open" failure', async t => {
  const r = readEntries(join(t.testdir(), 'missing'))
  t.equal(r.ok, false)
  if (!r.ok) t.match(r, { verb: 'open', err: { code: 'ENOENT' } })
})
