// Helpers for chpst's tests: its argv0 personalities as symlinks, the Node the shim will run on,
// and a program that reports its own state from inside.

import { spawnSync } from 'node:child_process'
import { chmodSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, childrenOf, runBin, startBin, type StartOptions } from './bin.js'
import { runitBin } from './runit.js'
import { until } from './until.js'

export const CHPST = join(BIN, 'chpst.js')

/** The `node` the bin shims run on: the first in PATH (CI puts Node 24 there for a second run). */
export const NODE: string = spawnSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).stdout.trim() || process.execPath

/** True when that node has process.execve (chpst then replaces itself; else it relays). */
export const nodeHasExecve: boolean = spawnSync(NODE, ['-p', 'typeof process.execve'], { encoding: 'utf8' }).stdout.trim() === 'function'

export const isRoot = process.getuid?.() === 0

/** A symlink named `name` in `dir` to bin/chpst.js (ours) or runit's chpst. */
export function persona (dir: string, name: string, impl: 'ours' | 'runit' = 'ours'): string {
  const target = impl === 'ours' ? CHPST : runitBin('chpst')
  if (target === undefined) throw new Error("runit's chpst is missing")
  const path = join(dir, name)
  symlinkSync(target, path)
  return path
}

/** chpst arguments that run our chpst again, as nobody, with `args`. */
export function asNobody (...args: string[]): string[] {
  return ['-u', 'nobody', NODE, CHPST, ...args]
}

export interface ChpstOptions {
  /** the whole environment (default: just PATH) */
  env?: Record<string, string>
  /** run this instead of bin/chpst.js (a personality symlink, runit's chpst) */
  exe?: string
  /** exe is a native program (runit's chpst), not run through NODE */
  native?: boolean
  cwd?: string
}

/**
 * Runs through env(1) with exactly `opts.env`: tap's spawn hook adds NODE_OPTIONS and
 * _TAPJS_* variables to every child, which would reach the program's environment and, once a
 * relaying chpst has become nobody, make tap's exit hook fail to write into .tap/. NODE is named
 * explicitly so that tests may give chpst any PATH.
 */
function viaEnv (args: string[], opts: ChpstOptions): string[] {
  const env = opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' }
  const exe = opts.native === true ? [opts.exe ?? CHPST] : [NODE, opts.exe ?? CHPST]
  return ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...exe, ...args]
}

const ENV = '/usr/bin/env'

export function runChpst (args: string[], opts: ChpstOptions = {}): ReturnType<typeof runBin> {
  return runBin('chpst', viaEnv(args, opts), { exe: ENV, cwd: opts.cwd })
}

export function startChpst (t: Parameters<typeof startBin>[0], args: string[], opts: ChpstOptions & Pick<StartOptions, 'stdio'> = {}): ReturnType<typeof startBin> {
  return startBin(t, 'chpst', viaEnv(args, opts), { exe: ENV, cwd: opts.cwd, stdio: opts.stdio })
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
