#!/usr/bin/env node
// Benchmark: latency of `sv status <running service>` for ours (node bin/sv.js), runit's C sv and
// a bare `node -e 0`, interleaved round by round so machine noise hits all three alike.
// Plain Node, no dependencies. Usage: npm run build && node bench/sv-status.js [rounds]
// Env: RUNIT_BIN (runit's binaries, default .cache/runit/usr/bin).

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, rmSync, existsSync, openSync, closeSync, constants } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUNIT = process.env.RUNIT_BIN ?? join(ROOT, '.cache', 'runit', 'usr', 'bin')
const runsIdx = process.argv.indexOf('--runs')
const jsonIdx = process.argv.indexOf('--json')
const rounds = Number(runsIdx > 0 ? process.argv[runsIdx + 1] : /^\d+$/.test(process.argv[2] ?? '') ? process.argv[2] : 40)
const warmup = 3

const base = mkdtempSync(join(tmpdir(), 'sv-bench-'))
const dir = join(base, 'svc')
mkdirSync(join(dir, 'log'), { recursive: true })
writeFileSync(join(dir, 'run'), '#!/bin/sh\nexec sleep 100000\n')
writeFileSync(join(dir, 'log', 'run'), '#!/bin/sh\nexec cat >/dev/null\n')
chmodSync(join(dir, 'run'), 0o755)
chmodSync(join(dir, 'log', 'run'), 0o755)

const haveRunit = existsSync(join(RUNIT, 'sv')) && existsSync(join(RUNIT, 'runsv'))
// Both sv's read the same directory, supervised by runit's runsv when present, else ours.
const runsvExe = haveRunit ? join(RUNIT, 'runsv') : join(ROOT, 'bin', 'runsv.js')
const runsv = spawn(runsvExe, [dir], { stdio: 'ignore', detached: true })

function supervised () {
  try {
    closeSync(openSync(join(dir, 'supervise', 'ok'), constants.O_WRONLY | constants.O_NONBLOCK))
    return existsSync(join(dir, 'log', 'supervise', 'status'))
  } catch {
    return false
  }
}

async function cleanup () {
  if (runsv.exitCode === null && runsv.signalCode === null) {
    const gone = new Promise(resolve => runsv.once('exit', resolve))
    process.kill(runsv.pid, 'SIGTERM')
    const timer = setTimeout(() => { try { process.kill(-runsv.pid, 'SIGKILL') } catch {} }, 5000)
    await gone
    clearTimeout(timer)
  }
  rmSync(base, { recursive: true, force: true })
}

const commands = [
  { name: 'ours (node bin/sv.js status)', file: process.execPath, args: [join(ROOT, 'bin', 'sv.js'), 'status', dir] },
  ...(haveRunit ? [{ name: "runit's C sv status", file: join(RUNIT, 'sv'), args: ['status', dir] }] : []),
  { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] }
]

function once (c) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(c.file, c.args, { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0 || (c.args[0] !== '-e' && !/^run: /.test(r.stdout))) {
    throw new Error(`${c.name}: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`)
  }
  return ms
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

try {
  const end = Date.now() + 10000
  while (!supervised()) {
    if (Date.now() > end) throw new Error(`${runsvExe} did not come up on ${dir}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const times = commands.map(() => [])
  for (let i = 0; i < warmup + rounds; i++) {
    // Rotate the order each round so no command always runs first (cold) or last.
    for (let k = 0; k < commands.length; k++) {
      const j = (i + k) % commands.length
      const ms = once(commands[j])
      if (i >= warmup) times[j].push(ms)
    }
  }
  const baseline = median(times[commands.length - 1])
  console.log(`sv status latency, median of ${rounds} interleaved runs (node ${process.version}, runsv: ${haveRunit ? "runit's" : 'ours'})`)
  commands.forEach((c, j) => {
    const m = median(times[j])
    console.log(`  ${c.name.padEnd(32)} ${m.toFixed(1).padStart(7)} ms   ${(m / baseline).toFixed(2)}x node -e 0`)
  })
  if (!haveRunit) console.log(`  (runit's C sv not found in ${RUNIT}; npm run fetch-runit)`)
  if (jsonIdx > 0) {
    const { writeJson } = await import('./common.js')
    const entry = (c, j) => [c.name, { medianMs: median(times[j]), runs: times[j] }]
    const svStatus = Object.fromEntries(commands.map(entry))
    writeJson(process.argv[jsonIdx + 1], { svStatus })
  }
} finally {
  await cleanup()
}
