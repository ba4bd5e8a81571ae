// Container mode: a service whose directory holds a `critical` file takes the container down when
// its run fails (ends with a code other than 0 or by a signal, unless sv down/exit asked for it).
// Read from supervise/deaths, which runsv rewrites at every end of a run, when the service says
// `stopped` or `down` in supervise/event/; and at each look for new critical services (runsvdir's
// pace), so that a line lost for a full FIFO cannot keep a broken container up.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { exists } from '../os/probe.js'
import { CRITICAL } from '../protocol/names.js'
import { formatTai64nText } from '../protocol/tai64.js'
import { readDeaths, type DeathLine } from '../svdir/deaths-file.js'
import { servicePaths } from '../svdir/layout.js'
import { subscribe, type Subscription } from '../svdir/event-dir.js'

export const POLL_MS = 500
/** The directory is looked at again (which services are critical) every this many polls' time:
 * 5 s, runsvdir's own pace. */
export const RESCAN_POLLS = 10

/** What runsv did after a run that was asked to end: not a failure. */
const ASKED = new Set(['down', 'exit'])

export interface Failure {
  name: string
  death: DeathLine
}

/** The container's exit code for a failure: the run's code, or 128 + its signal. */
export function failureCode (d: DeathLine): number {
  return d.signal !== 0 ? 128 + d.signal : d.code
}

export class CriticalWatch {
  private readonly dir: string
  /** last death seen per service (TAI64N text of its end) */
  private readonly seen = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  /** listening on each critical service's supervise/event/ */
  private readonly subs = new Map<string, Subscription>()
  private critical: string[] = []
  private polls = 0

  constructor (dir: string) {
    this.dir = dir
  }

  /** Remembers each critical service's last death, so deaths before this start do not count. */
  private last (name: string): string {
    let deaths: DeathLine[] = []
    try { deaths = readDeaths(servicePaths(join(this.dir, name))) } catch { /* none yet */ }
    const d = deaths.at(-1)
    return d === undefined ? '' : formatTai64nText(d.ended)
  }

  private names (): string[] {
    try {
      return readdirSync(this.dir).filter(n => n[0] !== '.' && exists(join(this.dir, n, CRITICAL)))
    } catch {
      return []
    }
  }

  /** One look: the first new failure, if any. */
  poll (): Failure | undefined {
    if (this.polls++ % RESCAN_POLLS === 0) this.critical = this.names()
    for (const name of this.critical) {
      const before = this.seen.get(name)
      if (before === undefined) { this.seen.set(name, this.last(name)); continue }
      let deaths: DeathLine[] = []
      try { deaths = readDeaths(servicePaths(join(this.dir, name))) } catch { continue }
      const fresh = deaths.filter(d => formatTai64nText(d.ended) > before)
      if (fresh.length === 0) continue
      this.seen.set(name, formatTai64nText(fresh.at(-1)!.ended))
      const failed = fresh.find(d => (d.code !== 0 || d.signal !== 0) && !ASKED.has(d.next))
      if (failed !== undefined) return { name, death: failed }
    }
    return undefined
  }

  /** Calls onFail at the first failure: looks when a critical service says `stopped` or `down`
   * (its supervise/event/, no wake-up while nothing happens), and looks for new critical
   * services at runsvdir's pace. */
  start (onFail: (f: Failure) => void): void {
    const look = (): void => {
      if (this.timer === undefined) return // stopped
      const f = this.poll()
      if (f !== undefined) { this.stop(); onFail(f) }
    }
    const rescan = (): void => {
      this.polls = 0 // the next poll reads the directory again
      this.timer = setTimeout(rescan, POLL_MS * RESCAN_POLLS)
      look()
      for (const name of this.critical) {
        if (this.subs.has(name)) continue
        try {
          this.subs.set(name, subscribe(servicePaths(join(this.dir, name)), ev => {
            if (ev.who === 'main' && (ev.name === 'stopped' || ev.name === 'down')) look()
          }))
        } catch { /* not supervised yet: the next rescan tries again */ }
      }
      for (const [name, sub] of this.subs) {
        if (!this.critical.includes(name)) { sub.close(); this.subs.delete(name) }
      }
    }
    this.poll()
    rescan()
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    for (const sub of this.subs.values()) sub.close()
    this.subs.clear()
  }
}
