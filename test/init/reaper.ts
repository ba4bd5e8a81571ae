// lib/os/reaper.ts and lib/os/ffi.ts in a process of their own (it becomes a subreaper): orphans
// are reaped, and child_process still sees the exits of what it spawned.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { decodeWaitStatus } from '../../build/os/ffi.js'

const SCRIPT = `
import { execFile, spawn } from 'node:child_process'
import { setChildSubreaper, isChildSubreaper } from ${JSON.stringify(join(ROOT, 'build/os/ffi.js'))}
import { startReaper, childPids } from ${JSON.stringify(join(ROOT, 'build/os/reaper.js'))}
const before = isChildSubreaper()
setChildSubreaper()
let reaped = 0
const reaper = startReaper(() => { reaped++ })
const codes = []
const runs = []
for (let i = 0; i < 20; i++) {
  runs.push(new Promise(resolve => {
    spawn('sh', ['-c', 'for i in 1 2 3 4 5; do (sleep 0.05 &); done; exit ' + i]).on('exit', c => { codes.push(c); resolve() })
  }))
  runs.push(new Promise(resolve => { execFile('true', err => { codes.push(err === null ? 'ok' : String(err)); resolve() }) }))
}
await Promise.all(runs)
const end = Date.now() + 15000
while ((reaped < 100 || childPids().length > 0) && Date.now() < end) await new Promise(r => setTimeout(r, 20))
reaper.stop()
console.log(JSON.stringify({ before, after: isChildSubreaper(), reaped, left: childPids().length, codes: codes.length, ok: codes.filter(c => c === 'ok').length, sum: codes.filter(c => typeof c === 'number').reduce((a, b) => a + b, 0) }))
`

t.test('orphans reaped, child_process keeps its own children\'s exits', async t => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 60000 })
  t.equal(r.status, 0, r.stderr)
  const got = JSON.parse(r.stdout) as Record<string, unknown>
  t.same(got, { before: false, after: true, reaped: 100, left: 0, codes: 40, ok: 20, sum: 190 })
})

t.test('decodeWaitStatus reads the W* macros', async t => {
  t.same(decodeWaitStatus(5, 3 << 8), { pid: 5, code: 3, signal: null, core: false })
  t.same(decodeWaitStatus(5, 9), { pid: 5, code: null, signal: 9, core: false })
  t.same(decodeWaitStatus(5, 0x80 | 11), { pid: 5, code: null, signal: 11, core: true })
})

t.test('koffi is an external require, never in sv\'s bundle (the others load it only when needed)', async t => {
  for (const p of ['runit', 'chpst', 'runsv']) t.match(readFileSync(join(ROOT, `build/bin/${p}.cjs`), 'utf8'), /require\)\('koffi'\)|koffi/, p)
  t.notMatch(readFileSync(join(ROOT, 'build/bin/sv.cjs'), 'utf8'), /koffi/, 'sv')
})
