// The `!processor` protocol of one rotated file (svlogd(8)): sh -c <cmd> in the log directory
// with fd 0 = @….u, fd 1 = @….t, fd 4 = state, fd 5 = newstate, fd 2 = svlogd's stderr; on exit 0
// rename .t → .s (mode 0744), unlink .u, rename newstate → state; on failure unlink .t and run
// it again. runit restarts a failing processor at once, forever (svlogd(8), DIFFERENCES FROM
// RUNIT 2.1.2); here the restart waits a second, and once svlogd is stopping (TERM) a failed run
// is not restarted: the .u stays.

import { openSync, closeSync, renameSync, chmodSync, unlinkSync, constants } from 'node:fs'
import { join } from 'node:path'
import { errnoCode } from '../errors/errors.js'
import { spawnProgram } from '../os/spawn.js'
import type { ChildProcess } from 'node:child_process'

/** What a log directory lends its processor: messages, pauses, and whether svlogd is stopping. */
export interface DirContext {
  report: Report
  verbose: boolean
  /** waits before a retry (runit's 3 s unless given); resolves false when svlogd is stopping */
  pause: (ms?: number) => Promise<boolean>
  stopping: () => boolean
}

/** svlogd's message kinds: "svlogd: warning: …", "svlogd: pausing: …", "svlogd: info: …". */
export interface Report {
  warn: (msg: string, err?: unknown) => void
  pausing: (msg: string, err?: unknown) => void
  info: (msg: string) => void
}

const RESTART_DELAY_MS = 1000
const O_READ = constants.O_RDONLY | constants.O_NONBLOCK
const O_TRUNC = constants.O_WRONLY | constants.O_NONBLOCK | constants.O_TRUNC | constants.O_CREAT

/** Runs fn until it succeeds, saying "pausing: <what>: <dir>: <reason>" between tries. */
export async function retry (
  ctx: DirContext, what: string, dirName: string, fn: () => void | Promise<void>
): Promise<boolean> {
  for (;;) {
    try {
      await fn()
      return true
    } catch (err) {
      ctx.report.pausing(`${what}: ${dirName}`, err)
      if (!await ctx.pause()) return false
    }
  }
}

export class ProcessorJob {
  /** the rotated file being processed, e.g. "@400000006b02721b39fd0dfc.u" */
  readonly uName: string
  readonly tName: string
  readonly sName: string
  /** resolves once the file is processed (or given up when stopping) */
  readonly done: Promise<void>
  running = true
  private child: ChildProcess | null = null

  constructor (
    private readonly dirPath: string, private readonly dirName: string, private readonly command: string, uName: string,
    private readonly ctx: DirContext
  ) {
    this.uName = uName
    this.tName = uName.slice(0, 26) + 't'
    this.sName = uName.slice(0, 26) + 's'
    this.done = this.loop().finally(() => { this.running = false; this.child = null })
  }

  /** Lets svlogd exit (fatal path) without waiting for the child. */
  detach (): void {
    this.child?.unref()
  }

  private async loop (): Promise<void> {
    for (;;) {
      if (await this.runOnce()) {
        await this.finish()
        return
      }
      this.ctx.report.warn(`processor failed, restart: ${this.dirName}`)
      try { unlinkSync(join(this.dirPath, this.tName)) } catch { /* nothing written */ }
      if (this.ctx.stopping()) return
      if (!await this.ctx.pause(RESTART_DELAY_MS)) return
    }
  }

  /** One run of the processor; true when it exited 0. */
  private async runOnce (): Promise<boolean> {
    const fds: number[] = []
    const open = (what: string, name: string, flags: number): number => {
      try {
        const fd = openSync(join(this.dirPath, name), flags, 0o644)
        fds.push(fd)
        return fd
      } catch (err) {
        this.ctx.report.warn(`unable to open ${what} for processor: ${this.dirName}`, err)
        throw err
      }
    }
    try {
      let stdin: number, stdout: number, state: number, newstate: number
      try {
        stdin = open('input', this.uName, O_READ)
        stdout = open('output', this.tName, O_TRUNC)
        // state is created empty when missing, then opened for reading.
        try {
          state = openSync(join(this.dirPath, 'state'), O_READ)
          fds.push(state)
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err
          closeSync(open('state', 'state', O_TRUNC))
          fds.pop()
          state = open('state', 'state', O_READ)
        }
        newstate = open('newstate', 'newstate', O_TRUNC)
      } catch {
        return false
      }
      if (this.ctx.verbose) this.ctx.report.info(`processing: ${this.dirName}/${this.uName}`)
      const r = await spawnProgram({
        file: '/bin/sh',
        args: ['-c', this.command],
        argv0: 'sh',
        cwd: this.dirPath,
        stdin,
        stdout,
        stderr: 2,
        setsid: false,
        extraFds: ['ignore', state, newstate]
      })
      for (const fd of fds.splice(0)) closeSync(fd)
      if (!r.ok) {
        this.ctx.report.warn(`unable to run processor: ${this.dirName}`, r.error)
        return false
      }
      this.child = r.child
      const code = await new Promise<number | null>(resolve => {
        r.child.once('exit', (c) => { resolve(c) })
      })
      return code === 0
    } finally {
      for (const fd of fds) closeSync(fd)
    }
  }

  private async finish (): Promise<void> {
    const at = (name: string): string => join(this.dirPath, name)
    if (!await retry(this.ctx, 'unable to rename processed', this.dirName, () => { renameSync(at(this.tName), at(this.sName)) })) return
    if (!await retry(this.ctx, 'unable to set mode of processed', this.dirName, () => { chmodSync(at(this.sName), 0o744) })) return
    try {
      unlinkSync(at(this.uName))
    } catch {
      this.ctx.report.warn(`unable to unlink: ${this.dirName}/${this.uName}`)
    }
    if (!await retry(this.ctx, 'unable to rename state', this.dirName, () => { renameSync(at('newstate'), at('state')) })) return
    if (this.ctx.verbose) this.ctx.report.info(`processed: ${this.dirName}/${this.sName}`)
  }
}
