#!/usr/bin/env node
// runsvdir figures, side by side: ours with a runsv process per service, ours in one-process
// mode (-1), runit's C runsvdir (+ its runsv). Time from symlink to `run` in supervise/stat for
// 1 service and for N at once; memory of the whole tree per service at each N (one-process:
// the runsvdir process alone); idle CPU of the tree with K services over a window.
//
// usage: node bench/runsvdir.js [--rounds N] [--many 200] [--sizes 1,10,50,200]
//                               [--idle-services 50] [--idle-seconds 30] [--json FILE] [--quick]
//                               [--many-rounds 3] [--dir DIR (default: the temp dir)]
//                               [--parts pickup-one,pickup-many,memory,idle]

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync, symlinkSync, unlinkSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, parts, median, table, writeJson, sleep, privateKb, cpuNs, killTree } from './common.js'

const quick = process.argv.includes('--quick')
const ROUNDS = Number(arg('rounds', quick ? 3 : 10))
const MANY = Number(arg('many', quick ? 50 : 200))
const MANY_ROUNDS = Number(arg('many-rounds', quick ? 1 : 3))
const SIZES = String(arg('sizes', quick ? '1,10' : '1,10,50,200')).split(',').map(Number)
const IDLE_N = Number(arg('idle-services', quick ? 10 : 50))
// V8's memory reducer runs a full GC or two once start-up's allocations have calmed down, seen
// (--trace-gc) as late as 18 s after start: one-time start-up work, ~20 ms, not idle cost.
const SETTLE_MS = Number(arg('settle-seconds', 25)) * 1000
const IDLE_S = Number(arg('idle-seconds', quick ? 5 : 30))
const RUNIT_DIR = arg('runit', process.env.RUNIT_BIN ?? join(ROOT, '.cache', 'runit', 'usr', 'bin'))

const work = mkdtempSync(join(WORK_BASE, 'runsvdir-bench-'))
// runsvdir finds runsv through PATH: one bin dir per implementation.
const oursBin = join(work, 'bin-ours')
mkdirSync(oursBin)
symlinkSync(join(ROOT, 'bin', 'runsv.js'), join(oursBin, 'runsv'))
const MODES = [
  { name: 'ours', exe: join(ROOT, 'bin', 'runsvdir.js'), args: [], path: oursBin },
  { name: 'ours -1', exe: join(ROOT, 'bin', 'runsvdir.js'), args: ['-1'], path: oursBin }
]
if (existsSync(join(RUNIT_DIR, 'runsvdir'))) MODES.push({ name: 'runit', exe: join(RUNIT_DIR, 'runsvdir'), args: [], path: RUNIT_DIR })

const trees = new Set()
process.on('exit', () => {
  for (const pid of trees) killTree(pid)
  rmSync(work, { recursive: true, force: true })
})

let seq = 0
function makeServices (n) {
  const base = join(work, `sv${seq++}`)
  mkdirSync(base)
  return Array.from({ length: n }, (_, i) => {
    const dir = join(base, `s${i}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'run'), '#!/bin/sh\nexec sleep 100000\n', { mode: 0o755 })
    return dir
  })
}
const statOf = (dir) => { try { return readFileSync(join(dir, 'supervise', 'stat'), 'utf8') } catch { return '' } }

/** runsvdir and every runsv under it (direct children), for memory and CPU. */
function treePids (root) {
  const out = [root]
  try {
    for (const tid of readdirSync(`/proc/${root}/task`)) {
      for (const c of readFileSync(`/proc/${root}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) {
        if (/runsv/.test(readFileSync(`/proc/${c}/cmdline`, 'latin1'))) out.push(Number(c))
      }
    }
  } catch { /* gone */ }
  return out
}

function startRunsvdir (mode, scan) {
  const child = spawn(mode.exe, [...mode.args, scan], {
    stdio: 'ignore',
    detached: true,
    env: { ...process.env, PATH: `${mode.path}:${process.env.PATH}` }
  })
  trees.add(child.pid)
  return child
}

/** HUP: runsvdir TERMs every runsv (or stops every hosted supervisor) and exits. */
async function stop (child) {
  const gone = new Promise(resolve => child.once('exit', resolve))
  try { process.kill(child.pid, 'SIGHUP') } catch { /* gone */ }
  await Promise.race([gone, sleep(15_000)])
  killTree(child.pid)
  trees.delete(child.pid)
}

async function waitFor (cond, ms = 60_000, step = 1) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    await sleep(step)
  }
  throw new Error('bench: condition not reached in time')
}

/** Symlink to running, one service at a time, the modes interleaved. */
async function pickupOne () {
  const runs = MODES.map(mode => {
    const scan = join(work, `scan${seq++}`)
    mkdirSync(scan)
    return { mode, scan, child: startRunsvdir(mode, scan), times: [] }
  })
  await sleep(1500) // first scan done, watching
  for (let i = 0; i < ROUNDS; i++) {
    for (const r of runs) {
      const [dir] = makeServices(1)
      const link = join(r.scan, 'svc')
      const t0 = performance.now()
      symlinkSync(dir, link)
      await waitFor(() => statOf(dir) === 'run\n', 15_000)
      r.times.push(performance.now() - t0)
      unlinkSync(link)
      await waitFor(() => statOf(dir) === 'down\n' || statOf(dir) === '', 15_000, 5)
      await sleep(200)
    }
  }
  const res = {}
  for (const r of runs) { res[r.mode.name] = r.times; await stop(r.child) }
  return res
}

/** MANY symlinks made at once; time until every one says run. MANY_ROUNDS rounds, the modes
 * interleaved within each. */
async function pickupMany () {
  const res = Object.fromEntries(MODES.map(m => [m.name, []]))
  for (let i = 0; i < MANY_ROUNDS; i++) {
    for (const mode of MODES) {
      const scan = join(work, `scan${seq++}`)
      mkdirSync(scan)
      const child = startRunsvdir(mode, scan)
      await sleep(1500)
      const dirs = makeServices(MANY)
      const t0 = performance.now()
      dirs.forEach((d, i) => symlinkSync(d, join(scan, `s${i}`)))
      await waitFor(() => dirs.every(d => statOf(d) === 'run\n'), 120_000, 5)
      res[mode.name].push(performance.now() - t0)
      await stop(child)
    }
  }
  return res
}

/** Private and RSS memory of the supervision tree (not the services) at N services. */
async function memory () {
  const res = {}
  for (const mode of MODES) {
    res[mode.name] = {}
    for (const n of SIZES) {
      const scan = join(work, `scan${seq++}`)
      mkdirSync(scan)
      const dirs = makeServices(n)
      dirs.forEach((d, i) => symlinkSync(d, join(scan, `s${i}`)))
      const child = startRunsvdir(mode, scan)
      await waitFor(() => dirs.every(d => statOf(d) === 'run\n'), 180_000, 20)
      await sleep(2000)
      let priv = 0
      let rss = 0
      for (const pid of treePids(child.pid)) {
        const m = privateKb(pid)
        priv += m.private
        rss += m.rss
      }
      res[mode.name][n] = { privateKb: priv, rssKb: rss }
      await stop(child)
    }
  }
  return res
}

async function idle () {
  const res = {}
  for (const mode of MODES) {
    const scan = join(work, `scan${seq++}`)
    mkdirSync(scan)
    const dirs = makeServices(IDLE_N)
    dirs.forEach((d, i) => symlinkSync(d, join(scan, `s${i}`)))
    const child = startRunsvdir(mode, scan)
    await waitFor(() => dirs.every(d => statOf(d) === 'run\n'), 180_000, 20)
    await sleep(SETTLE_MS) // start-up work (V8's memory-reducing GC runs seconds after start) is not idle
    const pids = treePids(child.pid)
    const before = pids.reduce((s, p) => s + cpuNs(p), 0)
    await sleep(IDLE_S * 1000)
    const after = pids.reduce((s, p) => s + cpuNs(p), 0)
    res[mode.name] = { services: IDLE_N, seconds: IDLE_S, cpuMs: (after - before) / 1e6 }
    await stop(child)
  }
  return res
}

const results = {}
for (const [, key, run] of parts([['pickup-one', 'pickupOne', pickupOne], ['pickup-many', 'pickupMany', pickupMany], ['memory', 'memory', memory], ['idle', 'idle', idle]])) {
  results[key] = await run()
}

const names = MODES.map(m => m.name)
const rows = []
const spread = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`
if (results.pickupOne !== undefined) rows.push(['symlink → run, 1 service (median, min–max)', ...names.map(n => spread(results.pickupOne[n]))])
if (results.pickupMany !== undefined) rows.push([`symlink → run, ${MANY} services at once (median, min–max)`, ...names.map(n => spread(results.pickupMany[n]))])
for (const n of results.memory === undefined ? [] : SIZES) {
  rows.push([`private kB per service, N=${n}`, ...names.map(m => (results.memory[m][n].privateKb / n).toFixed(0))])
  rows.push([`RSS kB per service, N=${n}`, ...names.map(m => (results.memory[m][n].rssKb / n).toFixed(0))])
}
if (results.memory !== undefined && SIZES.length > 1) {
  const a = SIZES[0]
  const b = SIZES[SIZES.length - 1]
  rows.push([`private kB per added service, N=${a}→${b}`, ...names.map(m => ((results.memory[m][b].privateKb - results.memory[m][a].privateKb) / (b - a)).toFixed(0))])
}
if (results.idle !== undefined) rows.push([`idle CPU, ${IDLE_N} services, ${IDLE_S} s`, ...names.map(n => `${results.idle[n].cpuMs.toFixed(2)} ms`)])
console.log(table([`runsvdir + supervisors (${WORK_BASE})`, ...names], rows))
writeJson(arg('json'), { runsvdir: { dir: WORK_BASE, ...results } })
