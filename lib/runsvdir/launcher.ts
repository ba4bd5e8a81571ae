// The one step runsvdir's loop delegates: "supervise entry X" and "stop supervising it". The loop
// only sees the Launcher interface; processLauncher() fills it with one runsv process per entry,
// as runit does; inProcessLauncher() with lib/runsv's Supervisor objects (runsvdir -1).

import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { realpathSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { spawnProgram } from '../os/spawn.js'
import { heldEnv } from '../os/node-start.js'
import { findProgram } from '../os/program-file.js'
import { killWithGroup, sendSignal } from '../os/signals.js'
import { servicePaths } from '../svdir/layout.js'
import { readStatus } from '../svdir/status-file.js'
import { removeEmptyServiceCgroups } from '../svdir/cgroup-file.js'
import { trackNodeChildren } from '../os/reaper.js'

/** How a supervisor ended: its exit status, or why it could not start at all. */
export type RunsvExit =
  | { kind: 'exited', code: number | null, signal: NodeJS.Signals | null }
  | { kind: 'failed', error: Error }

export interface RunsvHandle {
  /** the runsv process id, once known (an in-process supervisor has none) */
  readonly pid: number | undefined
  /** ask it to stop its services and exit (SIGTERM to runsv) */
  terminate: () => void
  /** last resort: kill the supervisor and the services it had started, at once */
  kill: () => void
  /** runsvdir leaves it running: drop whatever would keep this process alive for it */
  release: () => void
}

export interface Launcher {
  /**
   * Starts supervising `name` (an entry of the scan directory). `onExit` is called exactly once,
   * when the supervisor has ended or failed to start.
   */
  launch: (name: string, onExit: (how: RunsvExit) => void) => RunsvHandle
}

export interface ProcessLauncherOptions {
  /** the scan directory, absolute: runsv's working directory */
  dir: string
  /** -P: each runsv in its own session and process group */
  setsid: boolean
  /** runsv's stderr: runsvdir's own, or the log pipe */
  stderrFd: number
  /** environment, PATH included (runsv is found through PATH, as runit's execvp does) */
  env?: NodeJS.ProcessEnv
}

/** Our own runsv: started with NODE_EXTRA_CA_CERTS held (lib/os/node-start.ts). */
const OUR_RUNSV = fileURLToPath(new URL('../../bin/runsv.js', import.meta.url))

/** True when the runsv that PATH gives (runit's search) is ours; runit's would pass the held
 * name on to the services. */
function runsvIsOurs (path: string | undefined): boolean {
  const found = findProgram('runsv', path)
  try {
    return found.ok && realpathSync(found.path) === realpathSync(OUR_RUNSV)
  } catch {
    return false
  }
}

/** runit's way: `runsv <name>` found through PATH, cwd = the scan directory, fds 0/1 inherited. */
export function processLauncher (opts: ProcessLauncherOptions): Launcher {
  return {
    launch (name, onExit) {
      const handle = new RunsvProcess(resolve(opts.dir, name))
      const env = opts.env ?? process.env
      void spawnProgram({
        file: 'runsv',
        args: [name],
        cwd: opts.dir,
        stdin: 0,
        stdout: 1,
        stderr: opts.stderrFd,
        setsid: opts.setsid,
        env: runsvIsOurs(env.PATH) ? heldEnv(env) : env
      }).then(r => {
        if (!r.ok) {
          onExit({ kind: 'failed', error: r.error })
          return
        }
        r.child.once('exit', (code, signal) => {
          // A runsv removes its cgroups when it exits; one that was killed cannot.
          if (signal !== null) tryRemoveCgroups(resolve(opts.dir, name))
          onExit({ kind: 'exited', code, signal })
        })
        handle.attach(r.child)
      })
      return handle
    }
  }
}

function tryRemoveCgroups (dir: string): void {
  try {
    removeEmptyServiceCgroups(realpathSync(dir))
  } catch { /* the directory is gone: its cgroups cannot be named; they are empty and harmless */ }
}

class RunsvProcess implements RunsvHandle {
  private child: ChildProcess | undefined
  private pending: 'terminate' | 'kill' | 'release' | undefined
  private exited = false

  constructor (private readonly serviceDir: string) {}

  get pid (): number | undefined {
    return this.child?.pid
  }

  attach (child: ChildProcess): void {
    this.child = child
    child.once('exit', () => { this.exited = true })
    const todo = this.pending
    this.pending = undefined
    if (todo !== undefined) this[todo]()
  }

  terminate (): void {
    if (this.child === undefined) { this.pending ??= 'terminate'; return }
    if (!this.exited) signalQuietly(this.child.pid!, 'SIGTERM')
  }

  kill (): void {
    if (this.child === undefined) { this.pending = 'kill'; return }
    // Read the services' pids before runsv dies; they run in their own sessions (runsv setsid's
    // them), so each is killed with its process group.
    const pids = servicePids(this.serviceDir)
    if (!this.exited) signalQuietly(this.child.pid!, 'SIGKILL')
    for (const pid of pids) {
      try { killWithGroup(pid) } catch { /* not ours (EPERM) */ }
    }
  }

  release (): void {
    if (this.child === undefined) { this.pending = 'release'; return }
    this.child.unref()
  }
}

/** A signal that may find its target gone, or not ours to kill: best effort, never throws. */
function signalQuietly (pid: number, signal: NodeJS.Signals): void {
  try { sendSignal(pid, signal) } catch { /* not ours (EPERM) */ }
}

/** pids of ./run or ./finish and of the log service, as runsv last published them. */
function servicePids (dir: string): number[] {
  const out: number[] = []
  for (const d of [dir, join(dir, 'log')]) {
    try {
      const st = readStatus(servicePaths(d))
      if (st !== 'bad-format' && st.pid > 0) out.push(st.pid)
    } catch { /* none published */ }
  }
  return out
}

/** What the in-process launcher needs of a supervisor (lib/runsv's Supervisor, injected by cli). */
export interface HostedSupervisor {
  /** like SIGTERM to runsv: stop the services, then end */
  terminate: () => void
  /** stop at once: KILL the services, release supervise/ */
  kill: () => void
  /** resolves when the supervisor has ended; with an Error when it failed inside */
  readonly exited: Promise<Error | undefined>
}

export interface InProcessLauncherOptions {
  /** the scan directory, absolute */
  dir: string
  /** sets up and starts the supervisor of `name` (a path relative to dir, as runsv's argument);
   * rejects with runsv's fatal error */
  create: (name: string) => Promise<HostedSupervisor>
  /** reports a supervisor that could not start or failed, in runsv's words (runsv's stderr) */
  fatal: (name: string, err: unknown) => void
}

/**
 * One-process mode: every service's supervisor lives in this process, each with its own
 * supervise/ (lock, FIFOs, status), so sv cannot tell it from a runsv process. A supervisor that
 * cannot start or fails ends like a runsv exiting 111: the loop restarts it a second later, and
 * the other supervisors go on.
 */
export function inProcessLauncher (opts: InProcessLauncherOptions): Launcher {
  // A hosted service with a pidfile file makes this process a subreaper (runsv/forking.ts); its
  // reaper must then know every child Node spawned, from the first (a patch: no FFI loaded here).
  trackNodeChildren()
  return {
    launch (name, onExit) {
      let sup: HostedSupervisor | null = null
      // Asked before the supervisor is up: done once it is (a TERM then stops what it started).
      let pending: 'terminate' | 'kill' | null = null
      let ended = false
      const end = (code: number): void => {
        if (ended) return
        ended = true
        onExit({ kind: 'exited', code, signal: null })
      }
      opts.create(name).then(
        started => {
          sup = started
          if (pending !== null) started[pending]()
          return started.exited.then(err => {
            if (err !== undefined) opts.fatal(name, err)
            end(err === undefined ? 0 : 111)
          })
        },
        (err: unknown) => { opts.fatal(name, err); end(111) }
      )
      return {
        pid: undefined,
        terminate: () => {
          if (sup !== null) sup.terminate()
          else pending ??= 'terminate'
        },
        kill: () => {
          if (sup !== null) sup.kill()
          else pending = 'kill'
        },
        // The supervisors live in this process and end with it; nothing keeps it alive for them.
        release: () => {}
      }
    }
  }
}
