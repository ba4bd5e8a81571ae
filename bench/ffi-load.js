#!/usr/bin/env node
// What loading lib/os/ffi.ts (koffi and libc's prctl/waitpid) costs a process: wall ms of the
// import and first call, and private kB added (/proc/self/smaps_rollup), against importing a
// module of ours without it. Not part of `npm run bench`; `node bench/ffi-load.js [--runs N]`.

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join, dirname } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10

const probe = (withFfi) => `
import { readFileSync } from 'node:fs'
const priv = () => readFileSync('/proc/self/smaps_rollup', 'utf8').split('\\n')
  .map(l => /^Private_(Clean|Dirty):\\s+(\\d+)/.exec(l)).filter(Boolean).reduce((a, m) => a + Number(m[2]), 0)
const p0 = priv(); const t0 = process.hrtime.bigint()
${withFfi ? `const m = await import(${JSON.stringify(join(root, 'build/os/ffi.js'))}); m.isChildSubreaper()` : `await import(${JSON.stringify(join(root, 'build/os/proc.js'))})`}
const ms = Number(process.hrtime.bigint() - t0) / 1e6
console.log(JSON.stringify({ ms, kb: priv() - p0 }))`

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const got = { ffi: [], none: [] }
for (let i = 0; i < runs; i++) {
  for (const [k, f] of [['ffi', true], ['none', false]]) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe(f)], { encoding: 'utf8' })
    got[k].push(JSON.parse(r.stdout))
  }
}
const row = k => `${median(got[k].map(x => x.ms)).toFixed(1)} ms, ${median(got[k].map(x => x.kb))} kB private`
console.log(`| import + first call | ${row('ffi')} | without the FFI: ${row('none')} |`)
