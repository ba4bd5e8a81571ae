// The init's own children (stage scripts, the main command) and the end of everything else: a
// container's init must leave no process behind when it exits.

import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { spawnProgram } from '../os/spawn.js'
import { sendSignal, signalNumber } from '../os/signals.js'
import { childPids } from '../os/reaper.js'
import { readdirSync } from 'node:fs'
import { procStat } from '../os/proc.js'

/** How a child ended, or why it could not start. */
export type Ending = { code: number | null, signal: NodeJS.Signals | null } | { error: Error }

export interface Started {
  pid: number
  child: ChildProcess
  ended: Promise<Ending>
}

/** Starts `file args` with the init's stdio; `setsid` gives it its own group to kill whole. */
export async function start (
  file: string, args: string[], env: NodeJS.ProcessEnv, setsid: boolean
): Promise<Started | Error> {
  const r = await spawnProgram({ file, args, cwd: '/', stdin: 0, stdout: 1, stderr: 2, setsid, env })
  if (!r.ok) return r.error
  const ended = once(r.child, 'exit').then(([code, signal]) => ({ code, signal }) as Ending)
  return { pid: r.pid, child: r.child, ended }
}

/** A shell's $? for an ending: the code, 128 + the signal's number, 127 when it did not start. */
export function exitCode (e: Ending): number {
  if ('error' in e) return 127
  if (e.signal !== null) return 128 + signalNumber(e.signal)
  return e.code ?? 111
}

/** Every process below this one, walking /proc from our children (orphans come to us, the
 * subreaper or PID 1, so this is everything we started). */
export function descendants (): number[] {
  const out: number[] = []
  const byParent = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const s = procStat(Number(name))
      if (s.state === 'Z') continue
      const list = byParent.get(s.ppid) ?? []
      list.push(s.pid)
      byParent.set(s.ppid, list)
    } catch { /* gone */ }
  }
  const queue = [process.pid]
  while (queue.length > 0) {
    for (const pid of byParent.get(queue.shift()!) ?? []) {
      out.push(pid)
      queue.push(pid)
    }
  }
  return out
}

/** Signals every process below this one: kill(-1) as PID 1 (the whole PID namespace), else each
 * descendant found in /proc (kill(-1) outside a namespace would hit the whole machine). */
export function signalAll (signal: NodeJS.Signals): void {
  if (process.pid === 1) {
    try { process.kill(-1, signal) } catch { /* ESRCH: nobody left */ }
    return
  }
  for (const pid of descendants()) sendSignal(pid, signal)
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Waits until this process has no child left (the reaper and libuv reap them), up to `ms`;
 * true when none is left. */
export async function noChildren (ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (childPids().length === 0) return true
    if (Date.now() >= deadline) return false
    await sleep(50)
  }
}

/** TERM and CONT to everything left, KILL after `graceMs`, then waits for the reaping. */
export async function endEverything (graceMs: number): Promise<void> {
  if (childPids().length === 0) return
  signalAll('SIGTERM')
  signalAll('SIGCONT')
  if (await noChildren(graceMs)) return
  signalAll('SIGKILL')
  await noChildren(5000)
}
