#!/usr/bin/env node
// npm run bench: every benchmark in turn, ours beside runit's C binaries when they are present
// (npm run fetch-runit). Each script prints its table; all figures go to bench/results.json.
// Pass --quick for a short run (fewer rounds, smaller N, shorter idle window), --dir DIR to put
// the service and log directories there (a tmpfs such as /dev/shm, say).

import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, arg } from './common.js'

const quick = process.argv.includes('--quick')
const json = join(ROOT, 'bench', 'results.json')
rmSync(json, { force: true })

const SCRIPTS = [
  ['sv-status.js', quick ? ['--runs', '10'] : []],
  ['runsv.js', quick ? ['--rounds', '5', '--sizes', '1,10', '--idle-services', '10', '--idle-seconds', '5'] : []],
  ['runsvdir.js', quick ? ['--quick'] : []],
  ['svlogd.js', quick ? ['--lines', '200000', '--runs', '1'] : []],
  ['kill.js', quick ? ['--rounds', '1'] : []]
]

const dir = arg('dir')
const dirArgs = dir === undefined ? [] : ['--dir', dir]

let failed = 0
for (const [script, args] of SCRIPTS) {
  const path = join(ROOT, 'bench', script)
  if (!existsSync(path)) continue
  console.log(`\n## ${script.replace(/\.js$/, '')}\n`)
  const more = script === 'sv-status.js' ? [] : dirArgs
  const r = spawnSync(process.execPath, [path, ...args, ...more, '--json', json], { stdio: 'inherit' })
  if (r.status !== 0) { failed++; console.log(`(${script} exited ${r.status})`) }
}
console.log(`\nAll figures: ${json}`)
process.exitCode = failed === 0 ? 0 : 1
