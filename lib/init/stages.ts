// runit(8)'s three stages: 1 (one-time tasks), 2 (normally runsvdir, restarted when it crashes or
// exits 111), 3 (shutdown), with the ctrl-alt-del and stopit requests. Signals are wired by
// lib/cli/runit.ts to shutdown()/ctrlAltDel()/cont().

import { join } from 'node:path'
import { statSync } from 'node:fs'
import type { Say } from '../errors/say.js'
import { killWithGroup, sendSignal } from '../os/signals.js'
import { start, exitCode, endEverything, type Ending, type Started } from './children.js'

/** runit.c: after stage 2 crashed, its group is killed and runit sleeps 5 s before restarting. */
export const RESTART_PAUSE_MS = 5000
/** How long stage 2 gets to end after TERM before its group gets KILL. */
export const STAGE2_GRACE_MS = 5000
/** After stage 3, what is left gets TERM, then KILL after this. */
export const LEFTOVER_GRACE_MS = 2000

export interface StagesOptions {
  /** the stage directory (runit's /etc/runit) */
  dir: string
  env: NodeJS.ProcessEnv
  say: Say
  /** runit's info lines: "- runit: <msg>" */
  note: (msg: string) => void
  restartPauseMs?: number
}

/** True when `path` exists with the owner's execute bit, runit's test for ctrlaltdel, stopit. */
function ownerExecutable (path: string): boolean {
  try { return (statSync(path).mode & 0o100) !== 0 } catch { return false }
}

/** A pause that a shutdown request cuts short (the timer keeps the process alive meanwhile). */
async function sleep (ms: number, cancel: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([new Promise<void>(resolve => { timer = setTimeout(resolve, ms) }), cancel])
  clearTimeout(timer)
}

export class Stages {
  private readonly opts: StagesOptions
  private stage2: Started | undefined
  private stopping = false
  private wake!: () => void
  private stopped: Promise<void>

  constructor (opts: StagesOptions) {
    this.opts = opts
    this.stopped = new Promise(resolve => { this.wake = resolve })
  }

  /** TERM (a container's stop; runit ignores it on a machine): leave stage 2, run stage 3. */
  shutdown (): void {
    if (this.stopping) return
    this.stopping = true
    this.wake()
    if (this.stage2 !== undefined) {
      this.opts.note('sending TERM signal to stage 2...')
      sendSignal(this.stage2.pid, 'SIGTERM')
      sendSignal(this.stage2.pid, 'SIGCONT')
    }
  }

  /** INT: runs the ctrlaltdel script when executable, then acts as on CONT (runit(8)). */
  ctrlAltDel (): void {
    const script = join(this.opts.dir, 'ctrlaltdel')
    if (!ownerExecutable(script)) return
    this.opts.note(`ctrl-alt-del request...`)
    void this.run(script).then(() => { this.cont() })
  }

  /** CONT: shut down when the stopit file is there and executable (runit(8)). */
  cont (): void {
    if (ownerExecutable(join(this.opts.dir, 'stopit'))) this.shutdown()
  }

  private async run (path: string): Promise<Ending> {
    const s = await start(path, [], this.opts.env, true)
    if (s instanceof Error) {
      this.opts.say.warn(`unable to start child: ${path}`, s)
      return { error: s }
    }
    return await s.ended
  }

  /** Runs the three stages; resolves with the exit code: stage 3's. */
  async main (): Promise<number> {
    const { dir, note, say } = this.opts
    const one = join(dir, '1')
    note(`enter stage: ${one}`)
    const e1 = await this.run(one)
    note(`leave stage: ${one}`)
    const crashed1 = 'error' in e1 || e1.signal !== null
    if (crashed1 || e1.code === 100) {
      if (crashed1) say.warn(`child crashed: ${one}`)
      say.warn('skipping stage 2...')
    } else {
      await this.runStage2()
    }
    const three = join(dir, '3')
    note(`enter stage: ${three}`)
    const e3 = await this.run(three)
    note(`leave stage: ${three}`)
    await endEverything(LEFTOVER_GRACE_MS)
    return exitCode(e3)
  }

  private async runStage2 (): Promise<void> {
    const { dir, note, say, env } = this.opts
    const two = join(dir, '2')
    while (!this.stopping) {
      note(`enter stage: ${two}`)
      const s = await start(two, [], env, true)
      let e: Ending
      if (s instanceof Error) {
        say.warn(`unable to start child: ${two}`, s)
        e = { error: s }
      } else {
        this.stage2 = s
        e = await this.endOfStage2(s)
        this.stage2 = undefined
      }
      note(`leave stage: ${two}`)
      if (this.stopping) return
      const crashed = 'error' in e || e.signal !== null
      if (!('error' in e) && e.signal === null && e.code !== 111) return
      if (crashed) say.warn(`child crashed: ${two}`)
      say.warn('killing all processes in stage 2...')
      if (s instanceof Error) { /* nothing started */ } else killWithGroup(s.pid)
      await sleep(this.opts.restartPauseMs ?? RESTART_PAUSE_MS, this.stopped)
      if (!this.stopping) say.warn('restarting.')
    }
  }

  /** Stage 2's end; after a shutdown request, KILL to its group when it outstays the grace. */
  private async endOfStage2 (s: Started): Promise<Ending> {
    const first = await Promise.race([s.ended, this.stopped.then(() => undefined)])
    if (first !== undefined) return first
    const timer = setTimeout(() => { killWithGroup(s.pid) }, STAGE2_GRACE_MS)
    try { return await s.ended } finally { clearTimeout(timer) }
  }
}
