// Time from `d` written to supervise/control to the last of a service's 1,000 processes gone:
// ours with a cgroup (cgroup.kill after the grace), ours without one (the run's session, by
// /proc), and runit's runsv, which signals the main process only and leaves the rest (reported
// as how many are left after the wait). Interleaved by round. Needs root and cgroup2 for ours
// with a cgroup; the fallback runs runsv in a mount namespace where cgroup2 is unmounted.

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, rmSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, WORK_BASE, arg, sleep, median, killTree, table, writeJson, markedProcesses } from './common.js'

const N = Number(arg('procs', '1000'))
const ROUNDS = Number(arg('rounds', '3'))
const WAIT_MS = 10_000
const RUNIT_RUNSV = join(ROOT, '.cache', 'runit', 'usr', 'bin', 'runsv')
const OUR_RUNSV = join(ROOT, 'bin', 'runsv.js')

// Children that ignore TERM, so the grace (timeout-kill, 200 ms) and the KILL are measured too;
// the main process ends on TERM.
const RUN = `#!/bin/sh
i=0; while [ $i -lt ${N} ]; do sh -c 'trap "" TERM; exec sleep 1000' & i=$((i+1)); done
echo > ./forked
exec sleep 1001
`

const IMPLS = [
  { name: 'ours, cgroup', cmd: dir => [OUR_RUNSV, dir] },
  {
    name: 'ours, no cgroup',
    cmd: dir => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
      `grep " - cgroup2 " /proc/self/mountinfo | while read -r _ _ _ _ m _; do umount -l "$m"; done; exec "$0" "$1"`,
      OUR_RUNSV, dir]
  },
  { name: 'runit', cmd: dir => [RUNIT_RUNSV, dir], skip: !existsSync(RUNIT_RUNSV) }
]

async function once (impl, base) {
  const dir = join(base, `svc-${Math.random().toString(36).slice(2)}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'run'), RUN)
  chmodSync(join(dir, 'run'), 0o755)
  writeFileSync(join(dir, 'timeout-kill'), '200')
  const [exe, ...args] = impl.cmd(dir)
  const mark = Math.random().toString(36).slice(2)
  const child = spawn(exe, args, { stdio: 'ignore', detached: true, env: { ...process.env, MARK: mark } })
  try {
    for (let end = Date.now() + 60_000; !existsSync(join(dir, 'forked')); await sleep(10)) {
      if (Date.now() > end) throw new Error('no fork')
    }
    await sleep(200)
    const t0 = performance.now()
    writeFileSync(join(dir, 'supervise', 'control'), 'd')
    for (let end = Date.now() + WAIT_MS; ; await sleep(5)) {
      const left = markedProcesses(mark).length - 1 // runsv itself carries the mark too
      if (left === 0) return { ms: performance.now() - t0, left: 0 }
      if (Date.now() > end) return { ms: null, left }
    }
  } finally {
    try { writeFileSync(join(dir, 'supervise', 'control'), 'x') } catch { /* gone */ }
    await sleep(300)
    killTree(child.pid)
    for (const p of markedProcesses(mark)) killTree(p) // what runit's runsv leaves
  }
}

async function main () {
  if (process.getuid() !== 0) {
    console.log('bench/kill.js: needs root (cgroups, mount namespaces); skipped')
    return
  }
  const base = mkdtempSync(join(WORK_BASE, 'runit-ts-bench-kill-'))
  const results = Object.fromEntries(IMPLS.map(i => [i.name, []]))
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const impl of IMPLS) {
        if (impl.skip) continue
        results[impl.name].push(await once(impl, base))
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
  const rows = IMPLS.filter(i => !i.skip).map(i => {
    const rs = results[i.name]
    const done = rs.filter(x => x.ms !== null).map(x => x.ms)
    return [i.name, done.length === rs.length ? `${median(done).toFixed(0)} ms (${Math.min(...done).toFixed(0)}–${Math.max(...done).toFixed(0)})` : `never: ${Math.max(...rs.map(x => x.left))} left after ${WAIT_MS / 1000} s`]
  })
  console.log(table([`sv down → last of ${N} processes gone (${ROUNDS} rounds, children ignore TERM, timeout-kill 200 ms)`, 'median (min–max)'], rows))
  writeJson(arg('json'), { kill: results })
}

await main()
