// Helpers for chpst's tests: its argv0 personalities as symlinks, the Node the shim will run on,
// and a program that reports its own state from inside.

import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, ROOT, childrenOf, runBin, startBin, type StartOptions } from './bin.js'
import { cleanEnv } from './clean-env.js'
import { publicDir, shareFile } from './public-dir.js'
import { runitBin } from './runit.js'
import { until } from './until.js'

export const CHPST = join(BIN, 'chpst.js')

/** The `node` the bin shims run on: the first in PATH (CI puts Node 24 there for a second run). */
export const NODE: string = spawnSync('sh', ['-c', 'command -v node'], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim() || process.execPath

/** True when that node has process.execve. */
export const nodeHasProcessExecve: boolean = spawnSync(NODE, ['-p', 'typeof process.execve'], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim() === 'function'

/** True when chpst can call execve(2) through the FFI (koffi loads here): lib/os/ffi.ts. */
export const ffiExecve: boolean = spawnSync(NODE, ['--input-type=module', '-e',
  `console.log((await import(${JSON.stringify(join(ROOT, 'build', 'os', 'ffi.js'))})).ffiAvailable())`],
{ env: cleanEnv(), encoding: 'utf8' }).stdout.trim() === 'true'

/** True when chpst replaces itself (process.execve, or execve(2) through the FFI); else it relays. */
export const nodeHasExecve: boolean = nodeHasProcessExecve || ffiExecve

export const isRoot = process.getuid?.() === 0

/** A symlink named `name` in `dir` to bin/chpst.js (ours) or runit's chpst. */
export function persona (dir: string, name: string, impl: 'ours' | 'runit' = 'ours'): string {
  const target = impl === 'ours' ? CHPST : runitBin('chpst')
  if (target === undefined) throw new Error("runit's chpst is missing")
  const path = join(dir, name)
  symlinkSync(target, path)
  return path
}

const forNobody = new WeakMap<object, { dir: string, node: string }>()

/**
 * chpst arguments that run our chpst again, as nobody, with `args`. nobody runs a copy of it
 * (and node) in a public directory: the clone's may be closed to others.
 */
export function asNobody (t: Parameters<typeof publicDir>[0], ...args: string[]): string[] {
  return ['-u', 'nobody', ...nobodyCommand(t, 'chpst', ...args)]
}

/** A command line (node and a copy of bin/<program>.js in a public directory, with `args`) that
 * nobody can run. */
export function nobodyCommand (t: Parameters<typeof publicDir>[0], program: string, ...args: string[]): string[] {
  let p = forNobody.get(t)
  if (p === undefined) {
    const dir = publicDir(t)
    mkdirSync(join(dir, 'bin'))
    mkdirSync(join(dir, 'build', 'bin'), { recursive: true })
    for (const f of ['package.json', 'bin/package.json']) copyFileSync(join(ROOT, f), join(dir, f))
    p = { dir, node: shareFile(NODE, join(dir, 'bin', 'node')) }
    forNobody.set(t, p)
  }
  for (const f of [`bin/${program}.js`, `build/bin/${program}.cjs`]) {
    copyFileSync(join(ROOT, f), join(p.dir, f))
  }
  return [p.node, join(p.dir, 'bin', `${program}.js`), ...args]
}

export interface ChpstOptions {
  /** the whole environment (default: cleanEnv()) */
  env?: Record<string, string>
  /** run this instead of bin/chpst.js (a personality symlink, runit's chpst) */
  exe?: string
  /** exe is a native program (runit's chpst), not run through NODE */
  native?: boolean
  cwd?: string
}

/** argv for bin/chpst.js (or opts.exe) on NODE: named explicitly, so tests may give chpst any PATH. */
function chpstArgv (args: string[], opts: ChpstOptions): { exe: string, args: string[] } {
  if (opts.native === true) return { exe: opts.exe ?? CHPST, args }
  return { exe: NODE, args: [opts.exe ?? CHPST, ...args] }
}

export function runChpst (args: string[], opts: ChpstOptions = {}): ReturnType<typeof runBin> {
  const c = chpstArgv(args, opts)
  return runBin('chpst', c.args, { exe: c.exe, env: opts.env ?? cleanEnv(), cwd: opts.cwd })
}

export function startChpst (t: Parameters<typeof startBin>[0], args: string[], opts: ChpstOptions & Pick<StartOptions, 'stdio'> = {}): ReturnType<typeof startBin> {
  const c = chpstArgv(args, opts)
  return startBin(t, 'chpst', c.args, { exe: c.exe, env: opts.env ?? cleanEnv(), cwd: opts.cwd, stdio: opts.stdio })
}

/** Writes an executable /bin/sh script and returns its path. */
export function shScript (dir: string, name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/**
 * Shell command printing what a program sees of its own state, one "key=value" line each:
 * id, pid, ppid, pgrp, session, nice, open fds, ignored and blocked signals.
 */
export const REPORT = [
  'echo "id=$(id)"',
  'read -r stat < /proc/$$/stat; set -- ${stat##*) }',
  'echo "pid=$$"; echo "ppid=$2"; echo "pgrp=$3"; echo "session=$4"; echo "nice=${17}"',
  'echo "fds=$(ls /proc/$$/fd | sort -n | tr "\\n" " ")"',
  'grep -E "^Sig(Ign|Blk)" /proc/$$/status | tr -d "\\t" | sed "s/:/=/"'
].join('; ')

/** Parses REPORT's output (key=value lines) into a record. */
export function report (stdout: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim()
  }
  return out
}

/** The command name of a process ('' when gone). */
export function comm (pid: number): string {
  try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() } catch { return '' }
}

/** pid and all its descendants. */
export function family (pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(family)]
}

/**
 * The pid running `name` for a chpst started as `pid`: chpst's own pid where it replaced itself
 * (execve), else its child (relay). Waits for the exec chain to reach the program.
 */
export async function programPid (pid: number, name: string): Promise<number> {
  return await until(() => [pid, ...childrenOf(pid)].find(p => comm(p) === name) ?? 0, p => p > 0, { what: `pid of ${name}` })
}

/**
 * Descriptors open in a `sleep` program, numerically sorted, read once it sleeps (its wchan).
 * Not as soon as it is named sleep: its dynamic loader then opens ld.so.cache and libc at the
 * lowest free descriptor (one chpst has just closed) for a moment.
 */
export async function sleepingFds (pid: number): Promise<number[]> {
  await until(() => readFileSync(`/proc/${pid}/wchan`, 'latin1'), w => w.includes('nanosleep'), { what: `wchan of ${pid}` })
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b)
}
