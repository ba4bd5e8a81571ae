#!/usr/bin/env node
// Many services at once, against s6 and runit: N service directories linked into an empty scan
// directory at once; the time until every ./run has started (each writes ./up before it execs
// sleep, the same marker for every supervisor, s6's status file being s6's own), then the private
// memory of the supervision tree per service and its idle CPU over a window. Modes: ours with a
// runsv process per service, ours with `runsvdir -1`, runit's runsvdir + runsv, s6's s6-svscan +
// s6-supervise (Debian's s6, installed: `apt-get install s6`; s6-svscan runs
// /usr/bin/s6-supervise by that path, so an unpacked copy will not do). Modes run one after the
// other, each alone on the machine. s6-svscan is told
// to scan (`s6-svscanctl -a`) right after the links are made; it scans on no other event.
//
// usage: node bench/scale.js [--services 1000] [--modes ours,ours-1,runit,s6] [--idle-seconds 30]
//                            [--settle-seconds 25] [--json FILE] [--dir DIR]

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, table, writeJson, sleep, privateKb, cpuNs, killTree, markedProcesses } from './common.js'
import { removeEmptyServiceCgroups } from '../build/svdir/cgroup-file.js'

const N = Number(arg('services', 1000))
const IDLE_S = Number(arg('idle-seconds', 30))
const SETTLE_MS = Number(arg('settle-seconds', 25)) * 1000
const RUNIT_DIR = join(ROOT, '.cache', 'runit', 'usr', 'bin')
const S6_DIR = '/usr/bin'

const work = mkdtempSync(join(WORK_BASE, 'scale-bench-'))
const oursBin = join(work, 'bin-ours')
mkdirSync(oursBin)
symlinkSync(join(ROOT, 'bin', 'runsv.js'), join(oursBin, 'runsv'))

const ALL = [
  { name: 'ours', exe: join(ROOT, 'bin', 'runsvdir.js'), args: [], path: oursBin },
  { name: 'ours -1', exe: join(ROOT, 'bin', 'runsvdir.js'), args: ['-1'], path: oursBin },
  { name: 'runit', exe: join(RUNIT_DIR, 'runsvdir'), args: [], path: RUNIT_DIR },
  // s6-svscan supervises at most 500 services unless told more (-c)
  { name: 's6', exe: join(S6_DIR, 's6-svscan'), args: ['-c', String(Math.max(500, N + 10))], path: S6_DIR, env: {} }
]
const wanted = String(arg('modes', 'ours,ours-1,runit,s6')).split(',').map(m => m.replace('-1', ' -1'))
const MODES = ALL.filter(m => wanted.includes(m.name) && existsSync(m.exe))

const comm = (pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() } catch { return '' } }

async function one (mode) {
  const base = join(work, mode.name.replace(' ', ''))
  const scan = join(base, 'scan')
  mkdirSync(scan, { recursive: true })
  const dirs = Array.from({ length: N }, (_, i) => {
    const dir = join(base, `s${i}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'run'), '#!/bin/sh\n: > ./up\nexec sleep 100000\n', { mode: 0o755 })
    return dir
  })
  const mark = Math.random().toString(36).slice(2)
  const child = spawn(mode.exe, [...mode.args, scan], {
    stdio: 'ignore', detached: true, env: { ...process.env, ...mode.env, MARK: mark, PATH: `${mode.path}:${process.env.PATH}` }
  })
  try {
    await sleep(1500) // the first scan of the empty dir is done
    const t0 = performance.now()
    dirs.forEach((d, i) => symlinkSync(d, join(scan, `s${i}`)))
    // s6-svscan scans when told (s6-svscanctl -a), runit's runsvdir every 5 s, ours on a change
    if (mode.name === 's6') spawn(join(S6_DIR, 's6-svscanctl'), ['-a', scan], { stdio: 'ignore', env: { ...process.env, ...mode.env } })
    for (let left = dirs; left.length > 0; await sleep(20)) {
      left = left.filter(d => !existsSync(join(d, 'up')))
      if (performance.now() - t0 > 600_000) throw new Error(`${mode.name}: ${left.length} not started after 10 min`)
    }
    const startMs = performance.now() - t0
    await sleep(SETTLE_MS)
    const supervisors = markedProcesses(mark).filter(p => comm(p) !== 'sleep')
    const priv = supervisors.reduce((s, p) => { try { return s + privateKb(p).private } catch { return s } }, 0)
    const before = supervisors.reduce((s, p) => s + cpuNs(p), 0)
    await sleep(IDLE_S * 1000)
    const after = supervisors.reduce((s, p) => s + cpuNs(p), 0)
    const idleCpuMs = (after - before) / 1e6
    return { services: N, startMs, supervisorProcesses: supervisors.length, privateKbPerService: priv / N, idleCpuMs }
  } finally {
    try { process.kill(child.pid, mode.name === 's6' ? 'SIGTERM' : 'SIGHUP') } catch { /* gone */ }
    await sleep(3000)
    for (const p of markedProcesses(mark)) killTree(p)
    await sleep(500)
    // the cgroups of our runsvs KILLed above (a runsv removes its own only when it exits itself)
    if (mode.name.startsWith('ours')) for (const d of dirs) removeEmptyServiceCgroups(d)
    rmSync(base, { recursive: true, force: true })
  }
}

const results = {}
try {
  for (const mode of MODES) {
    results[mode.name] = await one(mode)
    console.log(`${mode.name}: ${JSON.stringify(results[mode.name])}`) // as it comes: a later mode may fail
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
const names = MODES.map(m => m.name)
console.log(table([`${N} services at once (${WORK_BASE}), node ${process.version}`, ...names], [
  ['symlinks → every ./run started', ...names.map(n => `${(results[n].startMs / 1000).toFixed(2)} s`)],
  ['supervisor processes', ...names.map(n => String(results[n].supervisorProcesses))],
  ['private kB per service', ...names.map(n => results[n].privateKbPerService.toFixed(0))],
  [`idle CPU, ${IDLE_S} s`, ...names.map(n => `${results[n].idleCpuMs.toFixed(1)} ms`)]
]))
writeJson(arg('json'), { scale: { dir: WORK_BASE, node: process.version, ...results } })
