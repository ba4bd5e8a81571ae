#!/usr/bin/env node
// A container's init as PID 1 of a new PID namespace: how long it takes to reap N orphans that
// end at once, and the memory and idle CPU of the init and its supervisors with S services:
// `runit --container`, against `tini -- runsvdir -1` (Debian's tini) and `s6-svscan` (Debian's
// s6) over the same service dirs. Needs root (unshare --pid); a setup whose program is missing is
// left out. `node bench/init-reap.js [--orphans 1000] [--services 50] [--rounds 3]`.
// The orphans are `cat`s reading one FIFO, re-parented to PID 1 as their shell exits; closing
// the FIFO's writer ends them all together; the clock stops when PID 1 has no zombie and no cat.

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, existsSync, readdirSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, median, sleep, privateKb, cpuNs, killTree } from './common.js'

const ORPHANS = Number(arg('orphans', '1000'))
const SERVICES = Number(arg('services', '50'))
const ROUNDS = Number(arg('rounds', '3'))

if (process.getuid?.() !== 0) {
  console.log('init-reap: skipped, needs root for unshare --pid')
  process.exit(0)
}

function childrenOf (pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap(t => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
  } catch { return [] }
}
function stateOf (pid) {
  try { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); return { state: s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3), comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) } } catch { return undefined }
}
async function until (fn, ms) {
  const end = Date.now() + ms
  for (;;) { const v = fn(); if (v) return v; if (Date.now() > end) throw new Error('timed out'); await sleep(5) }
}

const SETUPS = [
  { name: 'runit --container', argv: () => [join(ROOT, 'bin', 'runit.js'), '--container'] },
  { name: 'tini -- runsvdir -1', argv: (svc) => ['/usr/bin/tini', '--', join(ROOT, 'bin', 'runsvdir.js'), '-1', svc], needs: '/usr/bin/tini' },
  { name: 's6-svscan', argv: (svc) => ['/usr/bin/s6-svscan', svc], needs: '/usr/bin/s6-svscan' }
].filter(s => s.needs === undefined || existsSync(s.needs))

let setup = SETUPS[0]

function startInit (svc) {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...setup.argv(svc)], {
    env: { PATH: process.env.PATH, RUNIT_TS_SERVICES: svc }, stdio: 'ignore', detached: true
  })
  return child
}

/** PID 1 and every process below it but the services' own (sleep). */
function supervisors (pid1) {
  const out = [pid1]
  for (let i = 0; i < out.length; i++) for (const c of childrenOf(out[i])) if (stateOf(c)?.comm !== 'sleep') out.push(c)
  return out
}

async function reapRound () {
  const dir = mkdtempSync(join(WORK_BASE, 'init-reap-'))
  const svc = join(dir, 'service')
  const fifo = join(dir, 'fifo')
  mkdirSync(join(svc, 'orphans'), { recursive: true })
  writeFileSync(join(svc, 'orphans', 'run'), `#!/bin/sh\nmkfifo ${fifo} 2>/dev/null\ni=0; while [ $i -lt ${ORPHANS} ]; do (cat ${fifo} > /dev/null &); i=$((i+1)); done\ntouch ${join(dir, 'spawned')}\nexec sleep 100000\n`)
  chmodSync(join(svc, 'orphans', 'run'), 0o755)
  const u = startInit(svc)
  try {
    const pid1 = await until(() => childrenOf(u.pid)[0], 10000)
    await until(() => existsSync(join(dir, 'spawned')), 60000)
    await until(() => childrenOf(pid1).filter(p => stateOf(p)?.comm === 'cat').length === ORPHANS, 30000)
    // Every cat blocks in open() until a writer comes: open and close it, and they all end.
    const w = openSync(fifo, 'w')
    const t0 = process.hrtime.bigint()
    closeSync(w)
    await until(() => !childrenOf(pid1).some(p => { const s = stateOf(p); return s !== undefined && (s.state === 'Z' || s.comm === 'cat') }), 60000)
    return Number(process.hrtime.bigint() - t0) / 1e6
  } finally {
    killTree(u.pid)
    for (const p of childrenOf(u.pid)) try { process.kill(p, 'SIGKILL') } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
}

async function idleRound () {
  const dir = mkdtempSync(join(WORK_BASE, 'init-idle-'))
  const svc = join(dir, 'service')
  for (let i = 0; i < SERVICES; i++) {
    mkdirSync(join(svc, `s${i}`), { recursive: true })
    writeFileSync(join(svc, `s${i}`, 'run'), '#!/bin/sh\n: > ./up\nexec sleep 100000\n')
    chmodSync(join(svc, `s${i}`, 'run'), 0o755)
  }
  const u = startInit(svc)
  try {
    const pid1 = await until(() => childrenOf(u.pid)[0], 10000)
    // every ./run has started (s6 writes no supervise/stat: the same marker for all)
    await until(() => readdirSync(svc).filter(n => n[0] !== '.').every(n => existsSync(join(svc, n, 'up'))), 60000)
    await sleep(10000)
    const tree = supervisors(pid1)
    const mem = { private: 0, rss: 0 }
    for (const m of tree.map(privateKb)) { mem.private += m.private; mem.rss += m.rss }
    const cpu = () => tree.reduce((sum, p) => sum + cpuNs(p), 0)
    const c0 = cpu()
    await sleep(30000)
    return { ...mem, processes: tree.length, cpuMs: (cpu() - c0) / 1e6 }
  } finally {
    killTree(u.pid)
    rmSync(dir, { recursive: true, force: true })
  }
}

const lat = Object.fromEntries(SETUPS.map(x => [x.name, []]))
for (let i = 0; i < ROUNDS; i++) {
  for (const x of SETUPS) { setup = x; lat[x.name].push(await reapRound()) }
}
console.log(`| ${ORPHANS} orphans ended at once, to no zombie (${ROUNDS} rounds) | median (all) |`)
for (const x of SETUPS) console.log(`| ${x.name} | ${median(lat[x.name]).toFixed(0)} ms (${lat[x.name].map(v => v.toFixed(0)).join(', ')}) |`)
console.log(`| ${SERVICES} services: the init and its supervisors | processes | private kB | RSS kB | CPU over 30 s after a 10 s settle |`)
for (const x of SETUPS) {
  setup = x
  const idle = await idleRound()
  console.log(`| ${x.name} | ${idle.processes} | ${idle.private} | ${idle.rss} | ${idle.cpuMs.toFixed(2)} ms |`)
}
