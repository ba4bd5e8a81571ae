// Log directories for svlogd tests: create them, start svlogd (ours or runit's) on them, and read
// back what was logged, rotated files first in name (= time) order, then current.

import { mkdirSync, writeFileSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { startBin, runBin, type Started, type StartOptions } from './bin.js'

interface Tap {
  testdir: (fixture?: unknown) => string
  teardown: (fn: () => unknown) => void
}

/** Makes `<testdir>/<name>` (default "log") with an optional config; call t.testdir() only once per test. */
export function logDir (base: string, config?: string, name = 'log'): string {
  const dir = join(base, name)
  mkdirSync(dir, { recursive: true })
  if (config !== undefined) writeFileSync(join(dir, 'config'), config)
  return dir
}

/** Starts svlogd (exe: runit's binary) with a writable stdin. */
export function startSvlogd (t: Tap, args: string[], opts: StartOptions = {}): Started {
  return startBin(t, 'svlogd', args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts })
}

/** Runs svlogd to completion on `input` (EOF ends it). */
export function runSvlogd (args: string[], input: string | Buffer, opts: StartOptions = {}): ReturnType<typeof runBin> {
  return runBin('svlogd', args, { ...opts, input: input as string })
}

/** Rotated files (@….s/.u/.t) in name order. */
export function rotated (dir: string): string[] {
  return readdirSync(dir).filter(n => n.length === 27 && n.startsWith('@')).sort()
}

export function readCurrent (dir: string): string {
  try {
    return readFileSync(join(dir, 'current'), 'latin1')
  } catch {
    return ''
  }
}

/** Everything logged, oldest first: the rotated files in name order, then current. */
export function readAll (dir: string): string {
  return rotated(dir).map(n => readFileSync(join(dir, n), 'latin1')).join('') + readCurrent(dir)
}

export function mode (path: string): string {
  return (statSync(path).mode & 0o7777).toString(8)
}

/** Removes svlogd stamps (-t, -tt, -ttt) at line starts, for comparing runs. */
export function unstamp (text: string): string {
  return text.replace(/^(@[0-9a-f]{24}|\d{4}-\d\d-\d\d[_T]\d\d:\d\d:\d\d\.\d{5}) /gm, 'STAMP ')
}

/** Writes to a started svlogd's stdin and resolves once the pipe took it. */
export function feed (s: Started, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    s.child.stdin!.write(data, (err) => { if (err !== null && err !== undefined) reject(err); else resolve() })
  })
}
