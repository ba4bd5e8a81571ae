// Runs an sv (ours or runit's C one) and a runsv (ours or runit's) for sv's tests, and masks what
// differs between runs (pids, ages) so outputs compare byte for byte.

import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, startBin, BIN, type Started } from './bin.js'
import { cleanEnv } from './clean-env.js'
import { runitBin } from './runit.js'

export type Impl = 'ours' | 'runit'

interface Tap { teardown: (fn: () => unknown) => void }

export interface SvResult { code: number | null, stdout: string, stderr: string }

export interface SvOpts {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** run through this path (e.g. an LSB symlink) instead of the sv binary itself */
  exe?: string
}

/** Path of the sv binary of an implementation (ours: the bin/ shim). */
export function svExe (impl: Impl): string {
  if (impl === 'ours') return join(BIN, 'sv.js')
  const p = runitBin('sv')
  if (p === undefined) throw new Error("runit's sv is missing")
  return p
}

/** Runs sv to completion; env defaults to a clean one (no SVDIR/SVWAIT leaking in). */
export async function sv (impl: Impl, args: string[], opts: SvOpts = {}): Promise<SvResult> {
  const r = await runBin('sv', args, { exe: opts.exe ?? svExe(impl), cwd: opts.cwd, env: opts.env ?? cleanEnv() })
  return { code: r.code, stdout: r.stdout, stderr: r.stderr }
}

/** A symlink dir/name to an implementation's sv, for the LSB personality. */
export function lsbLink (impl: Impl, name: string, dir: string): string {
  const link = join(dir, name)
  symlinkSync(svExe(impl), link)
  return link
}

/** Starts a runsv of an implementation on dir; teardown reaps it and the services. */
export function runsv (t: Tap, impl: Impl, dir: string): Started {
  if (impl === 'ours') return startBin(t, 'runsv', [dir], { services: [dir] })
  const exe = runitBin('runsv')
  if (exe === undefined) throw new Error("runit's runsv is missing")
  return startBin(t, 'runsv', [dir], { services: [dir], exe })
}

/** Masks pids as PID and ages as Ns. */
export function mask (text: string): string {
  return text.replace(/\(pid \d+\)/g, '(pid PID)').replace(/(: |\) )\d+s\b/g, '$1Ns')
}

/** t.testdir(), with teardowns ordered before its removal (see service() in svdir.ts). */
export function testdir (t: Tap & { testdir: () => string }): string {
  t.teardown(() => {})
  return t.testdir()
}
