// Test helper for runsvdir (run directly by tap, it checks itself): a PATH where `runsv` is ours
// (or runit's), starting runsvdir, and reaping its whole process tree by pid. runsvdir's SIGTERM
// leaves the runsvs running by design, so the tree is sampled from /proc while the test runs and
// every process ever seen in it is killed in teardown (after checking its start time, so a
// recycled pid is never hit).

import t from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startBin, alive, removeServiceCgroups, BIN, type Started, type StartOptions } from '../helpers/bin.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { script } from '../helpers/svdir.js'
import { childrenOf } from '../helpers/bin.js'
import { until } from '../helpers/until.js'

interface Tap {
  teardown: (fn: () => unknown) => void
}

/** /proc/PID/stat fields after the command: [state, ppid, pgrp, …]; undefined when gone. */
function procStat (pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

function startTime (pid: number): string | undefined {
  return procStat(pid)?.[19]
}

/** Every descendant of pid, breadth first. */
export function descendantsOf (pid: number): number[] {
  const out: number[] = []
  const queue = childrenOf(pid)
  while (queue.length > 0) {
    const p = queue.shift()!
    out.push(p)
    queue.push(...childrenOf(p))
  }
  return out
}

/** The whole command line of pid, NULs shown as spaces. */
export function cmdline (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1')
  } catch {
    return ''
  }
}

/**
 * Remembers every descendant of `root` it ever sees (sampled every 100 ms and on demand) and
 * kills them all by pid in teardown. Register it after startBin: teardowns run last-in first-out.
 */
export function trackTree (
  t: Tap, root: number, opts: { killRoot?: boolean } = {}
): { sample: () => void, seen: () => number[] } {
  const seen = new Map<number, string>()
  const sample = (): void => {
    for (const p of descendantsOf(root)) {
      const st = startTime(p)
      if (st !== undefined && !seen.has(p)) seen.set(p, st)
    }
  }
  sample()
  const timer = setInterval(sample, 100)
  timer.unref()
  t.teardown(async () => {
    sample()
    clearInterval(timer)
    // The root first, so that nothing gets restarted while the rest is killed.
    if (opts.killRoot === true) { try { process.kill(root, 'SIGKILL') } catch { /* gone */ } }
    const mine = [...seen].filter(([p, st]) => startTime(p) === st).map(([p]) => p)
    for (const p of mine) {
      const pgrp = procStat(p)?.[2]
      try { process.kill(p, 'SIGKILL') } catch { /* gone */ }
      if (pgrp === String(p)) { try { process.kill(-p, 'SIGKILL') } catch { /* gone */ } }
    }
    await until(() => mine.filter(p => alive(p) && startTime(p) === seen.get(p)), l => l.length === 0, { what: 'processes left' })
  })
  return { sample, seen: () => [...seen.keys()] }
}

/**
 * A directory holding `runsv` (ours, or runit's), to put first on PATH. Outside t.testdir(),
 * which a second call would wipe; removed in teardown.
 */
export function runsvBinDir (t: Tap, runitDir?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runsvdir-path-'))
  symlinkSync(runitDir === undefined ? join(BIN, 'runsv.js') : join(runitDir, 'runsv'), join(dir, 'runsv'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

export interface RunsvdirRun extends Started {
  /** runsvdir's direct children now (its runsvs) */
  runsvs: () => number[]
  /** every process of the tree seen so far */
  seen: () => number[]
}

/** Starts runsvdir (ours, or opts.exe) with our runsv first on PATH; reaps its tree in teardown. */
export function startRunsvdir (
  t: Tap, args: string[], opts: StartOptions & { runitDir?: string, path?: string } = {}
): RunsvdirRun {
  const path = opts.path ?? `${runsvBinDir(t, opts.runitDir)}:${PATH}`
  // Registered first, so it runs after the tree is killed: the cgroups of runsvs that were KILLed.
  const scan = args.at(-1)
  t.teardown(async () => {
    let entries: string[] = []
    try { entries = scan === undefined ? [] : readdirSync(scan) } catch { /* not a directory */ }
    for (const e of entries) await removeServiceCgroups(join(scan!, e))
  })
  const r = startBin(t, 'runsvdir', args, { ...opts, env: cleanEnv({ ...opts.env, PATH: path }) })
  const tree = trackTree(t, r.pid, { killRoot: true })
  return { ...r, runsvs: () => childrenOf(r.pid), seen: tree.seen }
}

/** A PATH with node and nothing else (so runsv is not found). */
export function nodeOnlyPath (t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'runsvdir-path-'))
  symlinkSync(process.execPath, join(dir, 'node'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/** `p`, or a failure after `timeout` ms saying `what` never happened: no unbounded waits. */
export async function within<T> (p: Promise<T>, what: () => string, timeout = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what()} after ${timeout} ms`)) }, timeout)
  })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

/** The exit of a started program, with a deadline: a hang fails the test (with its stderr). */
export function exited (r: Started, timeout = 10_000): Promise<[number | null, NodeJS.Signals | null]> {
  return within(r.exit, () => `pid ${r.pid} still running, stderr ${JSON.stringify(r.stderr())},`, timeout)
}

/** A service directory `name` under `base` whose run script is `run`. */
export function makeService (base: string, name: string, run = 'exec sleep 1000'): string {
  const dir = join(base, name)
  mkdirSync(dir, { recursive: true })
  script(join(dir, 'run'), run)
  return dir
}

/** The service's pid from supervise/pid, 0 when none. */
export function servicePid (dir: string): number {
  try {
    return Number.parseInt(readFileSync(join(dir, 'supervise', 'pid'), 'utf8'), 10) || 0
  } catch {
    return 0
  }
}

// Run directly by tap: check the helper itself.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  t.test('the tree tracker sees and reaps a grandchild', async t => {
    const base = t.testdir()
    const r = startBin(t, 'runsv', [makeService(base, 'svc')], { services: [join(base, 'svc')] })
    const tree = trackTree(t, r.pid)
    await until(() => servicePid(join(base, 'svc')), p => p > 0, { what: 'service pid' })
    tree.sample()
    t.ok(tree.seen().includes(servicePid(join(base, 'svc'))), 'the service is in the tree')
    t.ok(existsSync(join(runsvBinDir(t), 'runsv')), 'runsv is on the helper PATH')
  })
}
