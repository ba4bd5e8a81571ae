// Runs an sv (ours or runit's C one) and a runsv (ours or runit's) for sv's tests, and masks what
// differs between runs (pids, ages) so outputs compare byte for byte.

import { symlinkSync, mkdirSync, readSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, startBin, BIN, type Started } from './bin.js'
import { cleanEnv } from './clean-env.js'
import { runitBin } from './runit.js'
import { makeFifos, openFifoReader, openFifoServer } from '../../build/os/fifo.js'
import { servicePaths, type SvPaths } from '../../build/svdir/layout.js'
import { publishRecord } from '../../build/svdir/status-file.js'
import { encodeStatus, type SvStatus } from '../../build/protocol/status.js'
import { formatStat } from '../../build/protocol/stat.js'
import { taiNow } from '../../build/protocol/tai64.js'

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

export interface Step { cmd: string, code: number | null, stdout: string, stderr: string }

/** Records sv calls (masked) in order, for comparing one implementation pair with another. */
export class Transcript {
  readonly steps: Step[] = []
  constructor (readonly impl: Impl, readonly cwd: string, readonly env: NodeJS.ProcessEnv = cleanEnv()) {}

  async sv (...args: string[]): Promise<SvResult> {
    const r = await sv(this.impl, args, { cwd: this.cwd, env: this.env })
    this.push(['sv', ...args], r)
    return r
  }

  /** Same, through another executable path (an LSB symlink), labelled with its name. */
  async via (exe: string, label: string, ...args: string[]): Promise<SvResult> {
    const r = await sv(this.impl, args, { cwd: this.cwd, env: this.env, exe })
    this.push([label, ...args], r)
    return r
  }

  /** Masks pids and ages, and the per-run base directory as <base>. */
  private push (cmd: string[], r: SvResult): void {
    const m = (s: string): string => mask(s.split(this.cwd).join('<base>'))
    this.steps.push({ cmd: m(cmd.join(' ')), code: r.code, stdout: m(r.stdout), stderr: m(r.stderr) })
  }
}

/** The four pairings of runsv and sv: runit's pair first (the reference), then ours and the crossings. */
export const PAIRS: ReadonlyArray<{ runsv: Impl, sv: Impl, label: string }> = [
  { runsv: 'runit', sv: 'runit', label: "runit's runsv + runit's sv" },
  { runsv: 'ours', sv: 'ours', label: 'our runsv + our sv' },
  { runsv: 'runit', sv: 'ours', label: "runit's runsv + our sv" },
  { runsv: 'ours', sv: 'runit', label: "our runsv + runit's sv" }
]

export interface FakeRunsv {
  paths: SvPaths
  /** letters written to supervise/control so far */
  letters: () => string
  /** publishes a record (fields over: down, pid 0, want up, now) the way runsv does */
  publish: (s: Partial<SvStatus>) => void
}

/**
 * A stand-in runsv on `dir` for timing-exact sv tests: holds supervise/ok and supervise/control
 * (real FIFOs), publishes status records only when told to. Closed at teardown.
 */
export function fakeRunsv (t: Tap, dir: string, first: Partial<SvStatus>): FakeRunsv {
  mkdirSync(join(dir, 'supervise'), { recursive: true })
  const paths = servicePaths(dir)
  makeFifos([paths.control, paths.ok])
  const okFd = openFifoReader(paths.ok)
  const ctlFd = openFifoServer(paths.control)
  t.teardown(() => { closeSync(okFd); closeSync(ctlFd) })
  let got = ''
  const letters = (): string => {
    const buf = Buffer.alloc(64)
    for (;;) {
      let n = 0
      try { n = readSync(ctlFd, buf, 0, buf.length, null) } catch { break } // EAGAIN: nothing queued
      if (n <= 0) break
      got += buf.toString('latin1', 0, n)
    }
    return got
  }
  const publish = (s: Partial<SvStatus>): void => {
    const rec: SvStatus = { when: taiNow(), pid: 0, paused: false, want: 'up', gotTerm: false, state: 'down', ...s }
    publishRecord(paths, { stat: formatStat({ ...rec, state: rec.state ?? 'down' }), status: encodeStatus(rec) })
  }
  publish(first)
  return { paths, letters, publish }
}
