// Starts the project's programs (and runit's C ones) as real processes and reaps them in teardown.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { readFileSync, readdirSync, mkdirSync, symlinkSync, writeFileSync, rmdirSync, existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join, dirname, basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './clean-env.js'
import { underState, type StartState } from './start-state.js'
import { procStat } from '../../build/os/proc.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin')

interface Tap {
  teardown: (fn: () => unknown) => void
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  stdio?: StdioOptions
  /** service directories whose supervise/pid (and log's) name processes to reap too */
  services?: string[]
  /** run this executable instead of bin/<name> (runit's C binaries) */
  exe?: string
  /** start it as a shell would after `ulimit -Sn nofile; trap '' ignore…` (lib/os/inherit.ts) */
  startedWith?: StartState
}

export interface Started {
  child: ChildProcess
  pid: number
  /** the name the supervisor uses in its messages ("runsv <name>: …") */
  name: string
  /** resolves with [code, signal] when the process exits */
  exit: Promise<[number | null, NodeJS.Signals | null]>
  stderr: () => string
  stdout: () => string
}

export function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie still answers kill(0); look at its state.
  try {
    return procStat(pid).state !== 'Z'
  } catch {
    return false
  }
}

export function killQuietly (pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig) } catch { /* gone */ }
}

function pidsOf (dir: string): number[] {
  const out: number[] = []
  for (const f of [join(dir, 'supervise', 'pid'), join(dir, 'log', 'supervise', 'pid')]) {
    try {
      const n = Number.parseInt(readFileSync(f, 'utf8'), 10)
      if (n > 0) out.push(n)
    } catch { /* none */ }
  }
  return out
}

async function waitGone (pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (!alive(pid)) return true
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return !alive(pid)
}

/**
 * RUNIT_TS_HOST=runsvdir-1 runs the runsv behaviour suite in one-process mode: startBin(t,
 * 'runsv', [dir]) then starts `runsvdir -1` over a scan directory holding a link to dir, so
 * the same tests check the supervisors hosted inside runsvdir.
 */
export const ONE_PROCESS = process.env.RUNIT_TS_HOST === 'runsvdir-1'

/** tap option for tests of the runsv process itself (its exit, its own signals). */
export const perProcessOnly = { skip: ONE_PROCESS ? 'runsv process semantics (one-process mode hosts no runsv process)' : false } as const

/** Children of pid, forked by any of its threads (/proc/<pid>/task/<tid>/children). */
export function childrenOf (pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap(tid => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(' ').filter(s => s !== '').map(Number)
      } catch {
        return []
      }
    })
  } catch {
    return []
  }
}

/** Every process started by a test carries this variable, so teardown can find its descendants. */
const MARK = 'RUNIT_TS_TEST_MARK'

/** Live processes whose environment holds name=value (descendants that kept the env). */
export function processesWithEnv (name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`)
  const out: number[] = []
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${p}/environ`)])
      if (env.includes(needle)) out.push(Number(p))
    } catch { /* gone, or not ours */ }
  }
  return out
}

/**
 * Starts bin/<name> (or opts.exe) in its own process group. Teardown: TERM, wait, KILL the group,
 * then KILL whatever the services' pid files still name (their sessions outlive a killed runsv).
 */
export function startBin (t: Tap, name: string, args: string[], opts: StartOptions = {}): Started {
  let exe = opts.exe ?? join(BIN, name + '.js')
  let label = args[0] ?? ''
  if (ONE_PROCESS && name === 'runsv' && opts.exe === undefined) {
    const dir = args[0]!
    const scan = join(dirname(dir), `scan-${basename(dir)}`)
    // a second start over the same dir (a host killed and started again) reuses the scan dir
    if (!existsSync(scan)) {
      mkdirSync(scan)
      symlinkSync(dir, join(scan, basename(dir)))
    }
    exe = join(BIN, 'runsvdir.js')
    args = ['-1', scan]
    label = basename(dir)
  }
  if (opts.startedWith !== undefined) [exe, args] = underState(opts.startedWith, exe, args)
  const token = randomUUID()
  const child = spawn(exe, args, {
    env: { ...(opts.env ?? cleanEnv()), [MARK]: token },
    cwd: opts.cwd,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const exit = new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
    child.once('exit', (code, signal) => { resolve([code, signal]) })
  })
  const pid = child.pid!
  t.teardown(async () => {
    // Services run in sessions of their own (ours) or in the supervisor's group (runit's):
    // note them now, while the pid files still name them, and kill whole groups at the end.
    const groups = new Set<number>((opts.services ?? []).flatMap(pidsOf))
    if (child.exitCode === null && child.signalCode === null) {
      killQuietly(pid, 'SIGTERM')
      if (!await waitGone(pid, 5000)) killQuietly(-pid, 'SIGKILL')
      await exit
    }
    for (const dir of opts.services ?? []) for (const p of pidsOf(dir)) groups.add(p)
    // Stragglers (a background child of ./run) outlive their leader: kill by group, then by pid.
    killQuietly(-pid, 'SIGKILL')
    for (const p of groups) { killQuietly(-p, 'SIGKILL'); killQuietly(p, 'SIGKILL') }
    // Anything else that descends from it (a background child that escaped its group).
    for (const p of processesWithEnv(MARK, token)) killQuietly(p, 'SIGKILL')
    // The services' cgroups, left when the supervisor was killed (it removes them on exit).
    for (const dir of opts.services ?? []) await removeServiceCgroups(dir)
  })
  return { child, pid, name: label, exit, stderr: () => err, stdout: () => out }
}

/** The cgroup leaf supervise/cgroup names for a service dir (or its log/), or null. */
export function leafOf (dir: string): string | null {
  try {
    return /^cgroup (\/.*)$/m.exec(readFileSync(join(dir, 'supervise', 'cgroup'), 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}

/** KILLs what is left in a service's cgroup leaves and removes them and their directory, once
 * empty (bounded wait). */
export async function removeServiceCgroups (dir: string): Promise<void> {
  const leaves = [leafOf(dir), leafOf(join(dir, 'log'))].filter((l): l is string => l !== null)
  if (leaves.length === 0) return
  for (const leaf of leaves) {
    try { writeFileSync(join(leaf, 'cgroup.kill'), '1') } catch { /* gone */ }
  }
  const end = Date.now() + 5000
  for (const leaf of [...leaves, dirname(leaves[0]!)]) {
    for (;;) {
      try {
        rmdirSync(leaf)
        break
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || Date.now() > end || (code !== 'EBUSY' && code !== 'ENOTEMPTY')) break
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  }
}

/** Runs a program to completion and returns its exit code and output. */
export function runBin (name: string, args: string[], opts: Omit<StartOptions, 'services'> & { input?: string } = {}): Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }> {
  const exe = opts.exe ?? join(BIN, name + '.js')
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { env: opts.env ?? cleanEnv(), cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
    child.once('error', reject)
    child.once('close', (code, signal) => { resolve({ code, signal, stdout, stderr }) })
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => { /* the program may exit before reading */ })
      child.stdin!.end(opts.input)
    }
  })
}
