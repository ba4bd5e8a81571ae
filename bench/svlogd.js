#!/usr/bin/env node
// Throughput of svlogd: ours (bin/svlogd.js) and runit's C svlogd on the same input: 1,000,000
// lines of about 100 bytes, -tt stamps, config s1000000 (rotate at 1 MB), fed through a pipe.
//
// usage: node bench/svlogd.js [--lines N] [--runs N] [--stdin pipe|file] [--runit PATH]
//                             [--dir DIR (default: the temp dir)]
// Needs `npm run build` first. runit's binary: $RUNIT_BIN/svlogd or .cache/runit/usr/bin/svlogd.

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, openSync, closeSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, median, writeJson } from './common.js'

const LINES = Number(arg('lines', 1_000_000))
const RUNS = Number(arg('runs', 3))
const STDIN = arg('stdin', 'pipe')
const RUNIT = arg('runit', join(process.env.RUNIT_BIN ?? join(ROOT, '.cache', 'runit', 'usr', 'bin'), 'svlogd'))
const OURS = join(ROOT, 'bin', 'svlogd.js')

if (!existsSync(join(ROOT, 'build', 'cli', 'svlogd.js'))) {
  console.error('bench/svlogd.js: build/ is missing: run npm run build first')
  process.exit(1)
}

const work = mkdtempSync(join(WORK_BASE, 'svlogd-bench-'))
process.on('exit', () => { rmSync(work, { recursive: true, force: true }) })

// ~100-byte lines with a running number, so the last one can be checked.
const input = join(work, 'input')
{
  const parts = []
  for (let i = 0; i < LINES; i++) {
    const head = `${String(i).padStart(7, '0')} bench svlogd line `
    parts.push(head + 'x'.repeat(99 - head.length) + '\n')
  }
  writeFileSync(input, parts.join(''))
}
const inputBytes = statSync(input).size

/** One run: fresh log dir, svlogd -tt dir < input; resolves with seconds from spawn to exit. */
function once (exe, n) {
  const dir = join(work, `log-${n}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  writeFileSync(join(dir, 'config'), 's1000000\n')
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    let feeder = null
    let stdin
    if (STDIN === 'file') {
      stdin = openSync(input, 'r')
    } else {
      feeder = spawn('cat', [input], { stdio: ['ignore', 'pipe', 'inherit'] })
      stdin = feeder.stdout
    }
    const child = spawn(exe, ['-tt', dir], { stdio: [stdin, 'ignore', 'inherit'] })
    if (typeof stdin === 'number') closeSync(stdin)
    child.once('error', reject)
    child.once('exit', (code) => {
      const secs = Number(process.hrtime.bigint() - start) / 1e9
      if (code !== 0) { reject(new Error(`${exe} exited ${code}`)); return }
      const last = readFileSync(join(dir, 'current'), 'latin1').trimEnd().split('\n').pop() ?? ''
      const want = String(LINES - 1).padStart(7, '0')
      if (last.slice(26, 33) !== want) { reject(new Error(`${exe}: last line is ${JSON.stringify(last.slice(0, 60))}`)); return }
      const files = readdirSync(dir).filter(f => f.startsWith('@')).length
      rmSync(dir, { recursive: true, force: true })
      resolve({ secs, files })
    })
  })
}

/** RUNS rounds, the implementations interleaved within each, so machine noise (the disk's
 * writeback above all: every rotation fsyncs) hits both alike. */
async function measureAll (impls) {
  const times = new Map(impls.map(i => [i.name, []]))
  const files = new Map()
  for (let r = 0; r < RUNS; r++) {
    for (const impl of impls) {
      const res = await once(impl.exe, r)
      times.get(impl.name).push(res.secs)
      files.set(impl.name, res.files)
    }
  }
  const out = {}
  for (const impl of impls) {
    const ts = times.get(impl.name)
    const secs = median(ts)
    console.log(`${impl.label.padEnd(16)} ${(LINES / secs).toFixed(0).padStart(9)} lines/s ${(inputBytes / 1e6 / secs).toFixed(1).padStart(7)} MB/s  (median of ${RUNS}: ${secs.toFixed(2)} s; runs ${ts.map(s => s.toFixed(2)).join(' ')}; ${files.get(impl.name)} rotated files kept)`)
    out[impl.name] = secs
  }
  return out
}

console.log(`svlogd -tt, config s1000000, ${LINES} lines, ${(inputBytes / 1e6).toFixed(1)} MB via ${STDIN === 'file' ? 'a file' : 'a pipe (cat)'}, in ${work}`)
const impls = [{ name: 'ours', label: 'runit-ts (Node)', exe: OURS }]
if (existsSync(RUNIT)) impls.unshift({ name: 'runit', label: 'runit (C)', exe: RUNIT })
else console.log(`runit (C)        skipped: ${RUNIT} not found (npm run fetch-runit)`)
const results = await measureAll(impls)
if (results.runit !== undefined) console.log(`ours / runit throughput: ${(results.runit / results.ours).toFixed(2)}x`)

const jsonFile = arg('json', undefined)
if (jsonFile !== undefined) {
  const fig = (secs) => secs === undefined
    ? undefined
    : { seconds: secs, linesPerSec: LINES / secs, mbPerSec: inputBytes / 1e6 / secs }
  const svlogd = { lines: LINES, bytes: inputBytes, runit: fig(results.runit), ours: fig(results.ours) }
  writeJson(jsonFile, { svlogd })
}
