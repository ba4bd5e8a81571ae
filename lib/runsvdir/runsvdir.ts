// runsvdir's loop (runsvdir(8)): keeps one supervisor per service directory found in the
// scan directory. Rescans at once on a change event (chokidar), and keeps runit's rule as the
// safety net: stat the directory every 5 s (1 s while a rescan is pending) and rescan when its
// mtime, inode or device changed. A dead runsv is noticed by its exit event and restarted after
// runit's one-second delay. Supervisors are started and stopped through a Launcher only.
// No process-wide state: signals are wired by lib/cli/runsvdir.ts to term()/hangup()/alarm().

import { statSync, opendirSync, openSync, writeSync, closeSync, type BigIntStats } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Say } from '../errors/say.js'
import { errnoError } from '../errors/errors.js'
import { taiNow, formatTai64nText } from '../protocol/tai64.js'
import { servicePaths } from '../svdir/layout.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { sendControl } from '../svdir/control-fifo.js'
import { startOrder, dependencyNames } from '../svdir/dependencies.js'
import { watchEntries, type EntryWatch } from '../os/watch.js'
import { lockDirectory, type DirLock } from '../os/dirlock.js'
import { diff, isCandidate, type Seen, type ServiceId, type RunsvState, type Start } from './scan.js'
import type { Launcher, RunsvHandle, RunsvExit } from './launcher.js'

/** runit's poll timeouts: idle, and while a rescan is pending (`check`). */
export const IDLE_MS = 5000
export const BUSY_MS = 1000
/** a dead runsv is restarted this long after it died (runit: the next 1 s wakeup) */
export const RESTART_DELAY_MS = 1000
/** on HUP, how long runsvs get to stop their services before everything left is killed */
export const STOP_GRACE_MS = 10_000
/** on HUP, how often a runsv we did not start (no exit event) is looked at: has it exited? */
export const FOREIGN_POLL_MS = 100
/** coalesces bursts of change events into one scan */
const KICK_MS = 10
/** the lock directory inside the scan directory (a dot name: never a service) */
export const LOCK_NAME = '.runsvdir.lock'
/** the lock is refreshed every half of this; only a holder in another pid namespace needs it */
export const LOCK_STALE_MS = 10 * 60_000
/** Debian's forced-rescan stamp (SIGALRM), written into the scan directory */
export const FORCED_RESCAN = '.forced-rescan'

export interface RunsvdirOptions {
  /** the scan directory as given (messages) */
  dir: string
  /** base for a relative dir */
  cwd: string
  say: Say
  launcher: Launcher
  /** take the one-runsvdir-per-directory lock (default true) */
  lock?: boolean
  /** use change events (default true); without them only the periodic stat notices changes */
  watch?: boolean
  idleMs?: number
  busyMs?: number
  restartDelayMs?: number
  stopGraceMs?: number
  /** table size (default 1000) */
  limit?: number
}

export type Outcome =
  /** SIGTERM: the runsvs were left running */
  | { kind: 'term' }
  /** SIGHUP (or SIGINT): every runsv and its services stopped */
  | { kind: 'hup' }
  /** cannot go on; the runsvs were left running */
  | { kind: 'fatal', msg: string, err?: unknown }

interface Entry {
  id: ServiceId
  name: string
  handle: RunsvHandle | undefined
  /** cancels the restart delay after its runsv died; set while the delay runs */
  restart: (() => void) | undefined
  /** a runsv we did not start supervises it (left running by an earlier runsvdir) */
  foreign: boolean
}

export class Runsvdir {
  private readonly dir: string
  private readonly abs: string
  private readonly say: Say
  private readonly launcher: Launcher
  private readonly o: Required<Omit<RunsvdirOptions, 'dir' | 'cwd' | 'say' | 'launcher'>>
  private readonly table = new Map<ServiceId, Entry>()
  /** removed services whose runsv was sent TERM and has not exited yet */
  private readonly retiring = new Map<ServiceId, Entry>()
  /** 'stopping' after HUP until every runsv has exited; 'ended' once finish() has begun */
  private phase: 'running' | 'stopping' | 'ended' = 'running'
  /** runit's `check`: rescan at the next cycle even if the directory looks unchanged */
  private check = true
  /** SIGALRM: rescan at the next cycle, then stamp ./.forced-rescan */
  private forced = false
  private lastStamp = ''
  /** Every timer of the loop hangs off this one controller, aborted when the loop ends (execa's
   * pattern in its lib/terminate/): nothing outlives the loop, and no timer field needs clearing. */
  private readonly timers = new AbortController()
  /** the timers not yet fired or cancelled (one abort listener clears them all) */
  private readonly pending = new Set<NodeJS.Timeout>()
  /** the next cycle: cancels it, and when it is due (ms since the epoch) */
  private nextCycle: { cancel: () => void, at: number } | undefined
  /** on HUP: runsvs we did not start, told to exit, not gone yet (by service name) */
  private readonly foreignLeft = new Set<string>()
  private watcher: EntryWatch | undefined
  private watchedId = ''
  /** the directory lock; 'unguarded' when it could not be taken and the loop runs without it */
  private lock: DirLock | 'unguarded' | undefined
  private resolveDone!: (o: Outcome) => void
  /** resolves when the loop has ended (watcher closed, lock released) */
  readonly done: Promise<Outcome>

  constructor (opts: RunsvdirOptions) {
    this.dir = opts.dir
    // An empty name stays empty (runit's stat("") fails), rather than meaning the cwd.
    this.abs = opts.dir === '' ? '' : resolve(opts.cwd, opts.dir)
    this.say = opts.say
    this.launcher = opts.launcher
    this.o = {
      lock: opts.lock ?? true,
      watch: opts.watch ?? true,
      idleMs: opts.idleMs ?? IDLE_MS,
      busyMs: opts.busyMs ?? BUSY_MS,
      restartDelayMs: opts.restartDelayMs ?? RESTART_DELAY_MS,
      stopGraceMs: opts.stopGraceMs ?? STOP_GRACE_MS,
      limit: opts.limit ?? 1000
    }
    this.done = new Promise(resolve => { this.resolveDone = resolve })
    this.timers.signal.addEventListener('abort', () => {
      for (const timer of this.pending) clearTimeout(timer)
      this.pending.clear()
    }, { once: true })
  }

  /** First cycle at once (runit starts with `check` set). */
  start (): void {
    this.cycle()
  }

  /** pids of the runsvs this loop started and that have not exited (bookkeeping, tests) */
  get pids (): number[] {
    const out: number[] = []
    for (const e of [...this.table.values(), ...this.retiring.values()]) {
      if (e.handle?.pid !== undefined) out.push(e.handle.pid)
    }
    return out
  }

  /** SIGTERM: stop at once and leave every runsv running. */
  term (): void {
    if (this.phase !== 'running') return
    void this.finish({ kind: 'term' })
  }

  /** SIGHUP: TERM every runsv, wait until all have exited (killing what is left after the grace
   * period, services included), then end. A runsv we did not start (left by an earlier runsvdir)
   * is not our child: it is told to exit through supervise/control, and watched through
   * supervise/ok until it has; after the grace period its services get 'k', and after a second
   * one it is given up on with a warning. */
  hangup (): void {
    if (this.phase !== 'running') return
    this.phase = 'stopping'
    this.nextCycle?.cancel()
    this.nextCycle = undefined
    for (const e of this.table.values()) {
      e.restart?.()
      e.restart = undefined
    }
    void this.watcher?.close()
    for (const e of this.table.values()) {
      if (e.handle !== undefined) e.handle.terminate()
      else if (this.supervisedElsewhere(e.name)) {
        this.control(e.name, 'x')
        this.foreignLeft.add(e.name)
      }
    }
    if (this.foreignLeft.size > 0) this.after(FOREIGN_POLL_MS, () => { this.pollForeign() })
    this.after(this.o.stopGraceMs, () => {
      for (const e of this.live()) e.handle?.kill()
      // Both services, since a log service that ignores TERM keeps its runsv too.
      for (const name of this.foreignLeft) for (const d of [name, join(name, 'log')]) this.control(d, 'k')
      if (this.foreignLeft.size === 0) return
      this.after(this.o.stopGraceMs, () => {
        for (const name of this.foreignLeft) this.say.warn(`runsv ${name} did not exit, leaving it running`)
        this.foreignLeft.clear()
        this.checkStopped()
      })
    })
    this.checkStopped()
  }

  /** Sends `letters` to the runsv of `name` (relative to the scan directory), best effort: one
   * that is gone, or does not read, is found out by the supervise/ok poll. */
  private control (name: string, letters: string): void {
    try {
      sendControl(servicePaths(join(this.abs, name)), letters)
    } catch { /* no supervise/control, or a full FIFO */ }
  }

  /** Looks at the runsvs we did not start every FOREIGN_POLL_MS until all have exited. */
  private pollForeign (): void {
    for (const name of this.foreignLeft) {
      if (!this.supervisedElsewhere(name)) this.foreignLeft.delete(name)
    }
    this.checkStopped()
    if (this.foreignLeft.size > 0) this.after(FOREIGN_POLL_MS, () => { this.pollForeign() })
  }

  /** SIGALRM (Debian): rescan now even if nothing changed, then stamp ./.forced-rescan. */
  alarm (): void {
    if (this.phase !== 'running') return
    this.forced = true
    this.cycleSoon()
  }

  /** Calls fn after ms unless cancelled (the function returned) or the loop has ended. */
  private after (ms: number, fn: () => void): () => void {
    if (this.timers.signal.aborted) return () => {}
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      fn()
    }, ms)
    this.pending.add(timer)
    return () => {
      clearTimeout(timer)
      this.pending.delete(timer)
    }
  }

  private live (): Entry[] {
    return [...this.table.values(), ...this.retiring.values()].filter(e => e.handle !== undefined)
  }

  /** Runs the next cycle in ms, instead of when it was due. */
  private cycleIn (ms: number): void {
    this.nextCycle?.cancel()
    this.nextCycle = undefined
    if (this.phase !== 'running') return
    const cancel = this.after(ms, () => {
      this.nextCycle = undefined
      this.cycle()
    })
    this.nextCycle = { cancel, at: Date.now() + ms }
  }

  /** Runs a cycle within KICK_MS: a burst of calls (change events) makes one cycle. */
  private cycleSoon (): void {
    if (this.phase !== 'running') return
    if (this.nextCycle !== undefined && this.nextCycle.at <= Date.now() + KICK_MS) return
    this.cycleIn(KICK_MS)
  }

  /** Rescans within KICK_MS even if the directory looks unchanged (runit's `check`). */
  private rescanSoon (): void {
    this.check = true
    this.cycleSoon()
  }

  /** After a cycle: the next one in 1 s while a rescan is pending, else in 5 s (runit's poll). */
  private arm (): void {
    const busy = this.check || [...this.table.values()].some(e => e.foreign)
    this.cycleIn(busy ? this.o.busyMs : this.o.idleMs)
  }

  /** One iteration: stat the directory; scan when asked to or when it changed. */
  private cycle (): void {
    if (this.phase !== 'running') return
    let st: BigIntStats
    try {
      st = statSync(this.abs, { bigint: true })
    } catch (err) {
      this.say.warn(`unable to stat ${this.dir}`, err)
      this.arm()
      return
    }
    if (!st.isDirectory()) {
      // runit's wording: its chdir() into the directory fails.
      this.say.warn(`unable to change directory to ${this.dir}`, errnoError('ENOTDIR'))
      this.arm()
      return
    }
    const stamp = `${st.mtimeNs}:${st.ino}:${st.dev}`
    const forced = this.forced
    if (!this.check && !forced && stamp === this.lastStamp) {
      this.arm()
      return
    }
    if (!this.ensureLock()) return
    this.ensureWatch(st)
    this.lastStamp = stamp
    this.check = false
    this.forced = false
    this.scan()
    // runit sleeps a second before scanning a directory changed within the current second, so a
    // change right after the scan cannot hide behind an unchanged mtime. Instead of sleeping:
    // look once more at the short interval.
    if (Date.now() - Number(st.mtimeNs / 1_000_000n) < 1000) this.check = true
    if (forced) this.stampForcedRescan()
    this.arm()
  }

  private scan (): void {
    const read = readEntries(this.abs)
    if (!read.ok) {
      // Nothing is removed after a failed read (runit).
      this.say.warn(`unable to ${read.verb} directory ${this.dir}`, read.err)
      this.check = true
      return
    }
    const seen: Seen[] = []
    for (const name of read.names) {
      if (!isCandidate(name)) continue
      try {
        const s = statSync(join(this.abs, name), { bigint: true })
        seen.push(s.isDirectory() ? { name, kind: 'dir', id: `${s.dev}:${s.ino}` } : { name, kind: 'other' })
      } catch (error) {
        seen.push({ name, kind: 'error', error })
      }
    }
    const known = new Map<ServiceId, RunsvState>()
    for (const e of this.table.values()) {
      known.set(e.id, e.handle !== undefined ? 'up' : e.restart !== undefined ? 'held' : 'down')
    }
    const plan = diff({ known, retiring: new Set(this.retiring.keys()), seen, limit: this.o.limit })
    for (const w of plan.warnings) this.say.warn(w.msg, w.err)
    for (const id of plan.remove) this.remove(id)
    // Those a service depends on first (its runsv also waits for them: this only saves restarts).
    const deps = (n: string): string[] => dependencyNames(this.abs, n)
    const start = plan.start.length > 1 ? startOrder(plan.start, s => s.name, deps) : plan.start
    for (const s of start) this.launch(s)
    if (plan.recheck) this.check = true
  }

  private remove (id: ServiceId): void {
    const e = this.table.get(id)
    if (e === undefined) return
    this.table.delete(id)
    e.restart?.()
    if (e.handle === undefined) return
    // One TERM, then it is no longer restarted (runit); its exit is still awaited, so that the
    // same directory coming back never gets a second runsv while the first one stops.
    e.handle.terminate()
    this.retiring.set(id, e)
  }

  private launch (s: Start): void {
    let e = this.table.get(s.id)
    if (e === undefined) {
      e = { id: s.id, name: s.name, handle: undefined, restart: undefined, foreign: false }
      this.table.set(s.id, e)
    }
    e.name = s.name
    // A runsv left running by an earlier runsvdir (SIGTERM keeps them) still holds the service:
    // wait for it instead of starting one that fails on supervise/lock every second.
    if (this.supervisedElsewhere(s.name)) {
      e.foreign = true
      return
    }
    e.foreign = false
    const entry = e
    e.handle = this.launcher.launch(s.name, how => { this.exited(entry, how) })
  }

  private supervisedElsewhere (name: string): boolean {
    try {
      return isSupervised(servicePaths(join(this.abs, name)))
    } catch {
      return false // no supervise/ok yet
    }
  }

  private exited (e: Entry, how: RunsvExit): void {
    if (this.phase === 'ended') return // released on TERM: no longer ours
    if (how.kind === 'failed') this.say.fatal(`unable to start runsv ${e.name}`, how.error)
    e.handle = undefined
    if (this.retiring.get(e.id) === e) {
      this.retiring.delete(e.id)
      if (this.phase === 'stopping') this.checkStopped()
      else this.rescanSoon() // the directory may have come back meanwhile
      return
    }
    if (this.table.get(e.id) !== e) return
    if (this.phase === 'stopping') {
      this.checkStopped()
      return
    }
    e.restart = this.after(this.o.restartDelayMs, () => {
      e.restart = undefined
      this.rescanSoon()
    })
  }

  private checkStopped (): void {
    if (this.phase === 'ended' || this.live().length > 0 || this.foreignLeft.size > 0) return
    void this.finish({ kind: 'hup' })
  }

  /** Takes the directory lock before the first scan; false when the loop has to end. */
  private ensureLock (): boolean {
    if (!this.o.lock || this.lock !== undefined) return true
    let r
    try {
      r = lockDirectory(this.abs, {
        name: LOCK_NAME,
        // Each refresh touches an entry of the watched directory, and the watcher then re-reads
        // every entry: refresh rarely. A dead holder is found by its pid at once anyway.
        staleMs: LOCK_STALE_MS,
        onCompromised: () => {
          this.lock = undefined
          this.say.warn(`lost the lock ${join(this.dir, LOCK_NAME)} (removed, or not refreshed in time), taking it again`)
          this.rescanSoon()
        }
      })
    } catch (err) {
      // runit needs no write access to the directory; neither does this, unguarded.
      this.lock = 'unguarded'
      this.say.warn(`unable to lock ${join(this.dir, LOCK_NAME)}, running without the lock`, err)
      return true
    }
    if (!r.ok) {
      const who = r.holder === undefined ? '' : ` (pid ${r.holder})`
      void this.finish({ kind: 'fatal', msg: `unable to lock ${this.dir}: another runsvdir is running there${who}` })
      return false
    }
    this.lock = r.lock
    return true
  }

  private ensureWatch (st: BigIntStats): void {
    if (!this.o.watch) return
    const id = `${st.dev}:${st.ino}`
    if (this.watcher !== undefined && this.watchedId === id) return
    // The directory was replaced, re-pointed (a symlink) or is new: watch what is there now.
    void this.watcher?.close()
    this.watcher = undefined
    let warned = false
    try {
      this.watcher = watchEntries(this.abs, () => { this.rescanSoon() }, {
        ignore: name => !isCandidate(name),
        onError: err => {
          if (!warned) this.say.warn(`unable to watch ${this.dir}, rescanning every ${this.o.idleMs / 1000} s`, err)
          warned = true
        }
      })
      this.watchedId = id
    } catch {
      // Gone again since the stat: the next cycle's stat says so, and tries again.
    }
  }

  private stampForcedRescan (): void {
    const path = join(this.abs, FORCED_RESCAN)
    let fd: number
    try {
      fd = openSync(path, 'w', 0o644)
    } catch (err) {
      this.say.warn(`failed to open ./${FORCED_RESCAN}`, err)
      return
    }
    try {
      writeSync(fd, formatTai64nText(taiNow()))
    } catch (err) {
      this.say.warn(`failed to write ./${FORCED_RESCAN}`, err)
    } finally {
      closeSync(fd)
    }
  }

  private async finish (outcome: Outcome): Promise<void> {
    if (this.phase === 'ended') return
    this.phase = 'ended'
    this.timers.abort()
    this.nextCycle = undefined
    if (outcome.kind !== 'hup') {
      for (const e of [...this.table.values(), ...this.retiring.values()]) e.handle?.release()
    }
    await this.watcher?.close()
    if (this.lock !== 'unguarded') this.lock?.release()
    this.lock = undefined
    this.resolveDone(outcome)
  }
}

export type ReadEntries =
  | { ok: true, names: string[] }
  /** runit's opendir() or readdir() failed */
  | { ok: false, verb: 'open' | 'read', err: unknown }

/**
 * The names in directory `path` in the directory's own order (readdir(3), as `ls -U` lists them):
 * with two names for one service directory, the first decides the name its runsv gets, as in
 * runit. Not readdirSync, which libuv sorts.
 */
export function readEntries (path: string): ReadEntries {
  let dir
  try {
    dir = opendirSync(path)
  } catch (err) {
    return { ok: false, verb: 'open', err }
  }
  const names: string[] = []
  try {
    for (let ent = dir.readSync(); ent !== null; ent = dir.readSync()) names.push(ent.name)
  } catch (err) {
    return { ok: false, verb: 'read', err }
  } finally {
    dir.closeSync()
  }
  return { ok: true, names }
}
