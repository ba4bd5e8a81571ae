// Starts bin/runit.js as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc), as
// in a container. Teardown KILLs the namespace's init, which ends every process inside it.

import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, childrenOf, killQuietly } from './bin.js'
import { cleanEnv } from './clean-env.js'
import { until } from './until.js'

interface Tap { teardown: (fn: () => unknown) => void }

/** Why PID 1 tests cannot run here, or false. */
export const pid1Skip: string | false = (() => {
  if (process.getuid?.() !== 0) return 'PID namespaces need root (unshare --pid)'
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' })
  return r.status === 0 ? false : 'unshare --pid --fork --mount-proc does not work here'
})()

export interface Init {
  /** unshare's pid (in our namespace) */
  unshare: number
  /** runit's pid as we see it (PID 1 inside) */
  init: () => Promise<number>
  exit: Promise<[number | null, NodeJS.Signals | null]>
  stdout: () => string
  stderr: () => string
}

export function startInit (t: Tap, args: string[], env: NodeJS.ProcessEnv): Init {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', join(BIN, 'runit.js'), ...args], {
    env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const exit = new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
    child.once('exit', (code, signal) => { resolve([code, signal]) })
  })
  const unshare = child.pid!
  let initPid: number | undefined
  const init = async (): Promise<number> => {
    initPid ??= (await until(() => childrenOf(unshare), c => c.length > 0, { what: 'unshare\'s child' }))[0]!
    return initPid
  }
  t.teardown(async () => {
    // KILL to a namespace's init kills every process of the namespace.
    for (const p of childrenOf(unshare)) killQuietly(p, 'SIGKILL')
    killQuietly(unshare, 'SIGKILL')
    await exit
  })
  return { unshare, init, exit, stdout: () => out, stderr: () => err }
}

export interface Proc { pid: number, ppid: number, state: string, comm: string }

function proc (pid: number): Proc | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pid, ppid: Number(f[1]), state: f[0]!, comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) }
  } catch {
    return undefined
  }
}

/** Every process below `pid`, zombies included. */
export function below (pid: number): Proc[] {
  const all = readdirSync('/proc').filter(n => /^\d+$/.test(n)).map(n => proc(Number(n))).filter(p => p !== undefined)
  const out: Proc[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const parent = queue.shift()!
    for (const p of all) if (p.ppid === parent) { out.push(p); queue.push(p.pid) }
  }
  return out
}
