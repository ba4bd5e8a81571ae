#!/usr/bin/env node
// `runit --container` as PID 1 of a new PID namespace: how long it takes to reap N orphans that
// end at once, and its memory and idle CPU with S services. Needs root (unshare --pid). Not part
// of `npm run bench`: `node bench/init-reap.js [--orphans 1000] [--services 50] [--rounds 3]`.
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

function startInit (svc) {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', join(ROOT, 'bin', 'runit.js'), '--container'], {
    env: { PATH: process.env.PATH, RUNIT_TS_SERVICES: svc }, stdio: 'ignore', detached: true
  })
  return child
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
    writeFileSync(join(svc, `s${i}`, 'run'), '#!/bin/sh\nexec sleep 100000\n')
    chmodSync(join(svc, `s${i}`, 'run'), 0o755)
  }
  const u = startInit(svc)
  try {
    const pid1 = await until(() => childrenOf(u.pid)[0], 10000)
    await until(() => readdirSync(svc).filter(n => n[0] !== '.').every(n => { try { return readFileSync(join(svc, n, 'supervise', 'stat'), 'utf8') === 'run\n' } catch { return false } }), 60000)
    await sleep(10000)
    const mem = privateKb(pid1)
    const c0 = cpuNs(pid1)
    await sleep(30000)
    return { ...mem, cpuMs: (cpuNs(pid1) - c0) / 1e6 }
  } finally {
    killTree(u.pid)
    rmSync(dir, { recursive: true, force: true })
  }
}

const lat = []
for (let i = 0; i < ROUNDS; i++) lat.push(await reapRound())
console.log(`| reaping ${ORPHANS} orphans ended at once, to no zombie | ${median(lat).toFixed(0)} ms (${lat.map(x => x.toFixed(0)).join(', ')}) |`)
const idle = await idleRound()
console.log(`| runit --container with ${SERVICES} services: private kB, RSS kB, CPU over 30 s after a 10 s settle | ${idle.private} | ${idle.rss} | ${idle.cpuMs.toFixed(2)} ms |`)
