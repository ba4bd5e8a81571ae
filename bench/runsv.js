#!/usr/bin/env node
// runsv figures, ours and runit's C runsv side by side, interleaved in one run:
// reaction to u/d written to supervise/control, restart after SIGKILL of the service,
// private and RSS memory per service at N services, idle CPU of N services over a window.
//
// usage: node bench/runsv.js [--rounds N] [--sizes 1,10,50,200] [--idle-services 50]
//                            [--idle-seconds 30] [--json FILE] [--runit DIR]
//                            [--dir DIR (default: the temp dir)] [--parts reaction,restart,memory,idle]
// Needs `npm run build` first. runit's binaries: $RUNIT_BIN or .cache/runit/usr/bin.

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync, openSync, writeSync, closeSync, constants } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, parts, median, table, writeJson, sleep, privateKb, cpuNs, killTree } from './common.js'

const ROUNDS = Number(arg('rounds', 15))
const SIZES = String(arg('sizes', '1,10,50,200')).split(',').map(Number)
const IDLE_N = Number(arg('idle-services', 50))
// V8's memory reducer runs a full GC or two once start-up's allocations have calmed down, seen
// (--trace-gc) as late as 18 s after start: one-time start-up work, ~20 ms, not idle cost.
const SETTLE_MS = Number(arg('settle-seconds', 25)) * 1000
const IDLE_S = Number(arg('idle-seconds', 30))
const RUNIT_DIR = arg('runit', process.env.RUNIT_BIN ?? join(ROOT, '.cache', 'runit', 'usr', 'bin'))

const IMPLS = [{ name: 'ours', exe: join(ROOT, 'bin', 'runsv.js') }]
if (existsSync(join(RUNIT_DIR, 'runsv'))) IMPLS.push({ name: 'runit', exe: join(RUNIT_DIR, 'runsv') })

const work = mkdtempSync(join(WORK_BASE, 'runsv-bench-'))
const started = new Set()
process.on('exit', () => {
  for (const pid of started) killTree(pid)
  rmSync(work, { recursive: true, force: true })
})

let seq = 0
function makeService () {
  const dir = join(work, `s${seq++}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'run'), '#!/bin/sh\nexec sleep 100000\n', { mode: 0o755 })
  return dir
}

const statOf = (dir) => { try { return readFileSync(join(dir, 'supervise', 'stat'), 'utf8') } catch { return '' } }
const pidOf = (dir) => { try { return Number.parseInt(readFileSync(join(dir, 'supervise', 'pid'), 'utf8'), 10) || 0 } catch { return 0 } }

/** Spins (synchronously, for sub-millisecond resolution) until cond() or the deadline. */
function spinUntil (cond, ms = 10_000) {
  const end = performance.now() + ms
  while (performance.now() < end) if (cond()) return true
  return false
}

async function waitFor (cond, ms = 30_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    await sleep(5)
  }
  throw new Error('bench: condition not reached in time')
}

function startRunsv (impl, dir) {
  const child = spawn(impl.exe, [dir], { stdio: 'ignore', detached: true })
  started.add(child.pid)
  return child
}

async function stopRunsv (child, dirs) {
  const gone = new Promise(resolve => child.once('exit', resolve))
  for (const dir of dirs) {
    try {
      const fd = openSync(join(dir, 'supervise', 'control'), constants.O_WRONLY | constants.O_NONBLOCK)
      writeSync(fd, 'x')
      closeSync(fd)
    } catch { /* not running */ }
  }
  await Promise.race([gone, sleep(5000)])
  killTree(child.pid)
  started.delete(child.pid)
}

function send (dir, letter) {
  const fd = openSync(join(dir, 'supervise', 'control'), constants.O_WRONLY | constants.O_NONBLOCK)
  writeSync(fd, letter)
  closeSync(fd)
}

/** Reaction to d and u: from the write to the control FIFO to stat saying down / run. */
async function reaction () {
  const res = {}
  const runs = []
  for (const impl of IMPLS) {
    const dir = makeService()
    runs.push({ impl, dir, child: startRunsv(impl, dir), d: [], u: [] })
    res[impl.name] = {}
  }
  for (const r of runs) await waitFor(() => statOf(r.dir) === 'run\n')
  await sleep(1100) // past the one-second rule, so d/u measure reaction, not the spacing
  for (let i = 0; i < ROUNDS; i++) {
    for (const r of runs) { // interleaved: one round of each implementation in turn
      let t0 = performance.now()
      send(r.dir, 'd')
      if (!spinUntil(() => statOf(r.dir) === 'down\n')) throw new Error(`${r.impl.name}: no down`)
      r.d.push(performance.now() - t0)
      await sleep(1100)
      t0 = performance.now()
      send(r.dir, 'u')
      if (!spinUntil(() => statOf(r.dir) === 'run\n')) throw new Error(`${r.impl.name}: no run`)
      r.u.push(performance.now() - t0)
      await sleep(50)
    }
  }
  for (const r of runs) {
    res[r.impl.name] = { d: r.d, u: r.u }
    await stopRunsv(r.child, [r.dir])
  }
  return res
}

/** Restart after SIGKILL of the service: from the kill to a new pid with stat run. */
async function restart () {
  const runs = []
  for (const impl of IMPLS) {
    const dir = makeService()
    runs.push({ impl, dir, child: startRunsv(impl, dir), times: [] })
  }
  for (const r of runs) await waitFor(() => statOf(r.dir) === 'run\n')
  await sleep(1100)
  for (let i = 0; i < ROUNDS; i++) {
    for (const r of runs) {
      const old = pidOf(r.dir)
      const t0 = performance.now()
      process.kill(old, 'SIGKILL')
      if (!spinUntil(() => { const p = pidOf(r.dir); return p !== 0 && p !== old && statOf(r.dir) === 'run\n' })) throw new Error(`${r.impl.name}: no restart`)
      r.times.push(performance.now() - t0)
    }
    await sleep(1100) // each run must live a second, or the one-second rule adds a second
  }
  const res = {}
  for (const r of runs) {
    res[r.impl.name] = r.times
    await stopRunsv(r.child, [r.dir])
  }
  return res
}

/** Memory of N supervisors (one runsv process per service): private and RSS, per service. */
async function memory () {
  const res = {}
  for (const impl of IMPLS) {
    res[impl.name] = {}
    for (const n of SIZES) {
      const dirs = Array.from({ length: n }, makeService)
      const children = dirs.map(d => startRunsv(impl, d))
      await waitFor(() => dirs.every(d => statOf(d) === 'run\n'), 120_000)
      await sleep(1000)
      let priv = 0
      let rss = 0
      for (const c of children) {
        const m = privateKb(c.pid)
        priv += m.private
        rss += m.rss
      }
      res[impl.name][n] = { privateKb: priv, rssKb: rss, privatePerServiceKb: priv / n, rssPerServiceKb: rss / n }
      await Promise.all(children.map((c, i) => stopRunsv(c, [dirs[i]])))
    }
  }
  return res
}

/** CPU used by N idle supervisors over a window (all threads, from /proc/PID/task/TID/schedstat). */
async function idle () {
  const res = {}
  for (const impl of IMPLS) {
    const dirs = Array.from({ length: IDLE_N }, makeService)
    const children = dirs.map(d => startRunsv(impl, d))
    await waitFor(() => dirs.every(d => statOf(d) === 'run\n'), 120_000)
    await sleep(SETTLE_MS) // start-up work (V8's memory-reducing GC runs seconds after start) is not idle
    const before = children.reduce((s, c) => s + cpuNs(c.pid), 0)
    await sleep(IDLE_S * 1000)
    const after = children.reduce((s, c) => s + cpuNs(c.pid), 0)
    res[impl.name] = { services: IDLE_N, seconds: IDLE_S, cpuMs: (after - before) / 1e6 }
    await Promise.all(children.map((c, i) => stopRunsv(c, [dirs[i]])))
  }
  return res
}

const results = {}
for (const [name, run] of parts([['reaction', reaction], ['restart', restart], ['memory', memory], ['idle', idle]])) {
  results[name] = await run()
}

const rows = []
const names = IMPLS.map(i => i.name)
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) + '×' : '')
const ms = (xs) => `${median(xs).toFixed(2)} ms (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`
for (const [label, get] of results.reaction === undefined ? [] : [['control d → down', r => r.d], ['control u → run', r => r.u]]) {
  const v = names.map(n => get(results.reaction[n]))
  rows.push([label, ...v.map(ms), v.length > 1 ? ratio(median(v[0]), median(v[1])) : ''])
}
if (results.restart !== undefined) {
  const v = names.map(n => results.restart[n])
  rows.push(['restart after SIGKILL', ...v.map(ms), v.length > 1 ? ratio(median(v[0]), median(v[1])) : ''])
}
for (const n of results.memory === undefined ? [] : SIZES) {
  const v = names.map(x => results.memory[x][n])
  rows.push([`private kB/service, N=${n}`, ...v.map(m => m.privatePerServiceKb.toFixed(0)), v.length > 1 ? ratio(v[0].privatePerServiceKb, v[1].privatePerServiceKb) : ''])
  rows.push([`RSS kB/service, N=${n}`, ...v.map(m => m.rssPerServiceKb.toFixed(0)), v.length > 1 ? ratio(v[0].rssPerServiceKb, v[1].rssPerServiceKb) : ''])
}
if (results.idle !== undefined) {
  const v = names.map(n => results.idle[n].cpuMs)
  rows.push([`idle CPU, ${IDLE_N} services, ${IDLE_S} s`, ...v.map(x => `${x.toFixed(2)} ms`), v.length > 1 ? ratio(v[0], v[1]) : ''])
}
console.log(table([`runsv (one process per service; ${WORK_BASE})`, ...names, 'ours/runit'], rows))
writeJson(arg('json'), { runsv: { dir: WORK_BASE, ...results } })
