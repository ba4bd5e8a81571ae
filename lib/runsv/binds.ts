// `NAME bind` in ./dependencies (runsv(8), DEPENDENCIES), NAME's side: before NAME's runsv stops
// a running NAME (d, x, TERM), it says `stopping` first and waits for the services bound to it to
// be down: each of them hears that event (dependencies.ts), stops its run and holds its restart
// until NAME runs again. Upstart's blocking `stopping` event, systemd's BindsTo=.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { readDependencies } from '../svdir/dependencies.js'
import { servicePaths, type SvPaths } from '../svdir/layout.js'
import { subscribe, type Subscription } from '../svdir/event-dir.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { readStatus } from '../svdir/status-file.js'

/** How long NAME's stop waits for the services bound to it. */
export const BIND_WAIT_MS = 10_000

/** The services of `scanDir` whose dependencies say `self bind` and whose run is up. */
export function boundRunning (scanDir: string, self: string): SvPaths[] {
  let names: string[]
  try {
    names = readdirSync(scanDir)
  } catch {
    return []
  }
  const out: SvPaths[] = []
  for (const n of names) {
    if (n === self || n.startsWith('.')) continue
    const p = servicePaths(join(scanDir, n))
    try {
      if (!readDependencies(p).deps.some(d => d.bind && d.name === self)) continue
    } catch {
      continue
    }
    if (running(p)) out.push(p)
  }
  return out
}

function running (p: SvPaths): boolean {
  try {
    if (!isSupervised(p)) return false
    const s = readStatus(p)
    return s !== 'bad-format' && s.pid !== 0 && s.state === 'run'
  } catch {
    return false
  }
}

/** Resolves once none of `bound` runs, or after BIND_WAIT_MS: looks again at each of their events. */
export async function boundStopped (bound: readonly SvPaths[], waitMs = BIND_WAIT_MS): Promise<void> {
  const subs: Subscription[] = []
  let done: () => void = () => {}
  const over = new Promise<void>(resolve => { done = resolve })
  const timer = setTimeout(done, waitMs)
  const look = (): void => { if (!bound.some(running)) done() }
  for (const p of bound) {
    try {
      subs.push(subscribe(p, look))
    } catch { /* its events cannot be heard: the deadline ends the wait */ }
  }
  look()
  await over
  clearTimeout(timer)
  for (const s of subs) s.close()
}
