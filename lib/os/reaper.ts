// Reaps the zombies libuv does not own: orphans re-parented to this process (PID 1, or a
// subreaper). libuv reaps each child it spawned with waitpid(pid) when SIGCHLD comes; a zombie we
// reaped first would never report its exit to child_process. So every pid that Node spawns is
// noted as it is spawned, and only the others are reaped.
//
// Why the registry is sound: every asynchronous spawn of Node (spawn, exec, execFile, fork, and
// execa through them) goes through ChildProcess.prototype.spawn, which forks synchronously and
// sets .pid before returning; we note the pid in that same JavaScript turn, before any SIGCHLD
// handler of ours can run. The pid leaves the registry in the 'exit' event, which Node emits
// synchronously from libuv's exit callback, right after libuv's waitpid: a pid can be reused only
// after that. spawnSync runs its own loop and reaps its child before JavaScript resumes. The
// registry must be installed before this process's first spawn.

import { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { procStat } from './proc.js'
import { reapNoHang, type WaitStatus } from './ffi.js'

const owned = new Set<number>()
let patched = false

/** Notes every child Node spawns from now on (idempotent). */
export function trackNodeChildren (): void {
  if (patched) return
  patched = true
  // Installed late (a runsv whose service gained a pidfile file): every child there is now was
  // spawned by Node, so it is libuv's; reapOrphans forgets each once it is no child any more.
  for (const pid of childPids()) owned.add(pid)
  // spawn() is Node's internal method, absent from the types.
  const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, ...args: unknown[]) => unknown }
  const original = proto.spawn
  proto.spawn = function (this: ChildProcess, ...args: unknown[]) {
    const r = original.apply(this, args)
    const pid = this.pid
    if (pid !== undefined) {
      owned.add(pid)
      this.once('exit', () => { owned.delete(pid) })
    }
    return r
  }
}

/** True while `pid` is a child that libuv will reap. */
export function ownedByNode (pid: number): boolean {
  return owned.has(pid)
}

/** The pids whose parent is this process: /proc/self/task/<tid>/children (CONFIG_PROC_CHILDREN),
 * else a scan of every /proc/<pid>/stat. */
export function childPids (): number[] {
  try {
    return readdirSync('/proc/self/task').flatMap(tid =>
      readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(w => w !== '').map(Number))
  } catch {
    const out: number[] = []
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue
      try {
        if (procStat(Number(name)).ppid === process.pid) out.push(Number(name))
      } catch { /* gone */ }
    }
    return out
  }
}

function isZombie (pid: number): boolean {
  try { return procStat(pid).state === 'Z' } catch { return false }
}

/** Reaps every zombie child that libuv does not own; returns what it reaped. */
export function reapOrphans (): WaitStatus[] {
  const reaped: WaitStatus[] = []
  const children = childPids()
  if (owned.size > children.length) {
    const live = new Set(children)
    for (const pid of owned) if (!live.has(pid)) owned.delete(pid) // reaped by libuv meanwhile
  }
  for (const pid of children) {
    if (owned.has(pid) || !isZombie(pid)) continue
    const s = reapNoHang(pid)
    if (s !== undefined) reaped.push(s)
  }
  return reaped
}

export interface Reaper {
  /** stops listening for SIGCHLD */
  stop: () => void
}

/** A round every so often besides SIGCHLD: the kernel's children list may miss a child while
 * others fork or exit (proc(5)), and such a zombie sends no second signal. */
export const SWEEP_MS = 10_000

/**
 * Reaps orphans at each SIGCHLD (Node's handler runs beside libuv's own: a signal has many
 * watchers), every SWEEP_MS, and once now. Signals merge, so each round reaps every zombie there is.
 */
export function startReaper (onReap?: (s: WaitStatus) => void): Reaper {
  trackNodeChildren()
  const round = (): void => {
    for (const s of reapOrphans()) onReap?.(s)
  }
  process.on('SIGCHLD', round)
  const sweep = setInterval(round, SWEEP_MS).unref()
  round()
  return { stop: () => { process.off('SIGCHLD', round); clearInterval(sweep) } }
}
