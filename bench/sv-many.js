#!/usr/bin/env node
// `sv status` of N services in one call (default 1,000), ours against runit's C sv, interleaved
// round by round: one process start, then a read per service. The services run under our
// `runsvdir -1` (both sv's read the same supervise/ directories).
//
// usage: node bench/sv-many.js [--services 1000] [--rounds 10] [--json FILE] [--dir DIR]

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, median, table, writeJson, sleep, killTree } from './common.js'

const N = Number(arg('services', 1000))
const ROUNDS = Number(arg('rounds', 10))
const RUNIT_SV = join(ROOT, '.cache', 'runit', 'usr', 'bin', 'sv')

const base = mkdtempSync(join(WORK_BASE, 'sv-many-'))
const scan = join(base, 'scan')
mkdirSync(scan)
const names = Array.from({ length: N }, (_, i) => `s${i}`)
for (const n of names) {
  mkdirSync(join(scan, n))
  writeFileSync(join(scan, n, 'run'), '#!/bin/sh\nexec sleep 100000\n', { mode: 0o755 })
}
const host = spawn(join(ROOT, 'bin', 'runsvdir.js'), ['-1', scan], { stdio: 'ignore', detached: true })
const stat = (n) => { try { return readFileSync(join(scan, n, 'supervise', 'stat'), 'utf8') } catch { return '' } }

const commands = [
  { name: 'ours', file: join(ROOT, 'bin', 'sv.js') },
  ...(existsSync(RUNIT_SV) ? [{ name: "runit's C sv", file: RUNIT_SV }] : [])
]
const times = Object.fromEntries(commands.map(c => [c.name, []]))
try {
  for (let end = Date.now() + 300_000; names.some(n => stat(n) !== 'run\n'); await sleep(50)) {
    if (Date.now() > end) throw new Error('services did not come up')
  }
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const c of commands) {
      const t0 = process.hrtime.bigint()
      const out = spawnSync(c.file, ['status', ...names], { env: { ...process.env, SVDIR: scan }, encoding: 'utf8', maxBuffer: 64 << 20 })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (out.status !== 0 || out.stdout.split('\n').length !== N + 1) throw new Error(`${c.name}: exit ${out.status}`)
      if (r > 0) times[c.name].push(ms) // the first round warms the page cache
    }
  }
} finally {
  try { process.kill(host.pid, 'SIGHUP') } catch { /* gone */ }
  await sleep(3000)
  killTree(host.pid)
  rmSync(base, { recursive: true, force: true })
}
const spread = (xs) => `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`
console.log(table([`sv status of ${N} services in one call, node ${process.version}`, 'median (min–max)'], commands.map(c => [c.name, spread(times[c.name])])))
writeJson(arg('json'), { svMany: { services: N, ...times } })
