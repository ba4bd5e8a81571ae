// The start gate of `dependencies` (runsv(8), DEPENDENCIES): ./run starts only once every NAME is
// up, ready (notification-fd) and passes its ./check. While it waits, runsv listens on each
// NAME's supervise/event/ (svdir/event-dir.ts) and looks again at its next event: no polling,
// except a 1 s retry while a NAME does not exist or its ./check fails (neither makes an event).
// A cycle is said and its edge ignored, so the services start rather than wait for each other.

import { basename, dirname, resolve } from 'node:path'
import { openSync } from 'node:fs'
import type { Say } from '../errors/say.js'
import type { Tai } from '../protocol/tai64.js'
import { servicePaths, type SvPaths } from '../svdir/layout.js'
import { readDependencies, dependencyDir, dependencyNames, findCycle, type Dependency } from '../svdir/dependencies.js'
import { subscribe, BIND_TAG, type Subscription } from '../svdir/event-dir.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { readStatus } from '../svdir/status-file.js'
import { isReady } from '../svdir/ready-file.js'
import { writeWait } from '../svdir/wait-file.js'
import { statIfExists, closeQuietly } from '../os/probe.js'
import { spawnProgram } from '../os/spawn.js'

/** Retry while a dependency gives no event to wait for (missing, ./check failing). */
export const RETRY_MS = 1000
/** A dependency's ./check that runs longer counts as failed. */
export const CHECK_LIMIT_MS = 5000

export class DependencyGate {
  private subs: Subscription[] = []
  /** listening, while the run is up, for the stop of what it is bound to (`NAME bind`) */
  private bindSubs: Subscription[] = []
  /** NAME → the pid of its run that is stopping: not met again until NAME runs another */
  private readonly held = new Map<string, number>()
  private timer: NodeJS.Timeout | null = null
  private readonly said = new Set<string>()
  private lastWait = ''
  readonly scanDir: string
  readonly self: string

  /** `given`: the service directory as runsv was given it (resolved against cwd, not through
   * symlinks), whose directory is the scan directory bare names are in. `wake`: look again. */
  constructor (given: string, cwd: string, private readonly paths: SvPaths, private readonly say: Say,
    private readonly wake: () => void, private readonly bindStop: () => void) {
    const abs = resolve(cwd, given)
    this.scanDir = dirname(abs)
    this.self = basename(abs)
  }

  /** Whether ./run may start now; when not, supervise/wait says why and wake() comes later. */
  async mayStart (when: Tai): Promise<boolean> {
    this.release()
    let deps: Dependency[]
    try {
      const parsed = readDependencies(this.paths)
      if (parsed.deps.length === 0 && this.lastWait === '') return true // most services have none
      for (const e of parsed.errors) this.sayOnce(`dependencies: ${e}`)
      deps = this.withoutCycles(parsed.deps)
    } catch (err) {
      this.sayOnce('unable to read dependencies', err)
      return true
    }
    let unmet = await this.look(deps)
    if (unmet.length > 0) {
      // Listening first, then looking again: a change between the two looks is not missed.
      this.arm(unmet)
      unmet = await this.look(deps)
      if (unmet.length === 0) this.release()
    }
    const text = unmet.map(u => `${u.name} (${u.why})`).join(', ')
    if (text !== this.lastWait) {
      try {
        writeWait(this.paths, when, text === '' ? null : `waiting for ${text}`)
      } catch (err) {
        this.say.warn('unable to write supervise/wait', err)
      }
      this.lastWait = text
    }
    if (unmet.length === 0) this.watchBinds(deps.filter(d => d.bind))
    return unmet.length === 0
  }

  /** While the run is up: NAME stopping (asked) or down for good stops it too (bindStop), and
   * holds its restart until NAME runs again. */
  private watchBinds (binds: readonly Dependency[]): void {
    for (const d of binds) {
      try {
        this.bindSubs.push(subscribe(servicePaths(dependencyDir(d.name, this.scanDir)), ev => {
          if (ev.who !== 'main' || (ev.name !== 'stopping' && ev.name !== 'down')) return
          if (ev.pid !== 0) this.held.set(d.name, ev.pid)
          this.bindStop()
        }, BIND_TAG))
      } catch (err) {
        this.sayOnce(`dependencies: ${d.name}: unable to listen in supervise/event`, err)
      }
    }
  }

  private async look (deps: readonly Dependency[]): Promise<Array<{ name: string, why: string }>> {
    const unmet: Array<{ name: string, why: string }> = []
    for (const d of deps) {
      const why = await this.unmet(d.name)
      if (why !== null) unmet.push({ name: d.name, why })
    }
    return unmet
  }

  /** Stops listening (runsv leaves). */
  close (): void {
    this.release()
  }

  /** The dependencies minus one edge of each cycle through this service (said once). */
  private withoutCycles (deps: Dependency[]): Dependency[] {
    let left = deps
    for (;;) {
      const names = left.map(d => d.name)
      const cycle = findCycle(this.self, n => n === this.self ? names : dependencyNames(this.scanDir, n))
      if (cycle === null) return left
      this.sayOnce(`dependencies: cycle ${cycle.join(' -> ')}: not waiting for ${cycle[1]}`)
      left = left.filter(d => d.name !== cycle[1])
    }
  }

  /** Why NAME is not yet what this service needs, or null. */
  private async unmet (name: string): Promise<string | null> {
    const p = servicePaths(dependencyDir(name, this.scanDir))
    if (statIfExists(p.dir)?.isDirectory() !== true) {
      this.sayOnce(`dependencies: ${name}: no such service`)
      return 'no such service'
    }
    let up = false
    try {
      if (isSupervised(p)) {
        const s = readStatus(p)
        up = s !== 'bad-format' && s.pid !== 0 && s.state === 'run'
        if (up && s !== 'bad-format' && this.held.has(name)) {
          if (this.held.get(name) === s.pid) return 'stopping'
          this.held.delete(name)
        }
        if (up && s !== 'bad-format' && !isReady(p, s.pid)) return 'not ready'
      }
    } catch { /* no supervise/ yet */ }
    if (!up) return 'down'
    return await this.checks(p) ? null : 'check failed'
  }

  /** NAME's ./check passes (or it has none), run as sv check runs it: in its directory. */
  private async checks (p: SvPaths): Promise<boolean> {
    if (statIfExists(p.check) === undefined) return true
    const nul = openSync('/dev/null', 'r+')
    try {
      const r = await spawnProgram({ file: './check', args: [], cwd: p.dir, stdin: nul, stdout: nul, stderr: nul, setsid: true })
      if (!r.ok) return false
      const child = r.child
      const limit = setTimeout(() => { child.kill('SIGKILL') }, CHECK_LIMIT_MS)
      const code = await new Promise<number | null>(done => { child.once('exit', c => { done(c) }) })
      clearTimeout(limit)
      return code === 0
    } finally {
      closeQuietly(nul)
    }
  }

  /** Wakes at the next event of an unmet dependency, or after RETRY_MS when one cannot send any. */
  private arm (unmet: ReadonlyArray<{ name: string, why: string }>): void {
    let retry = false
    for (const u of unmet) {
      if (u.why === 'no such service' || u.why === 'check failed') {
        retry = true
        continue
      }
      try {
        this.subs.push(subscribe(servicePaths(dependencyDir(u.name, this.scanDir)), ev => {
          if (ev.who === 'main') this.fire()
        }))
      } catch {
        retry = true
      }
    }
    if (retry) this.timer = setTimeout(() => { this.fire() }, RETRY_MS)
  }

  private fire (): void {
    this.release()
    this.wake()
  }

  private release (): void {
    for (const s of [...this.subs, ...this.bindSubs]) s.close()
    this.subs = []
    this.bindSubs = []
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private sayOnce (msg: string, err?: unknown): void {
    if (this.said.has(msg)) return
    this.said.add(msg)
    this.say.warn(msg, err)
  }
}
