// cgroup v2 for supervisors: where the hierarchy is, a cgroup per service under this process's
// own (or a runit-ts subtree), placement of a child before it execs, and signals to every
// process of a cgroup, KILL at once (cgroup.kill, or freeze/kill/thaw on kernels before 5.14).
// Design and the fallback without cgroups: doc/DESIGN.md, "Services and their processes".

import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmdirSync, accessSync, constants } from 'node:fs'
import { join, relative, isAbsolute } from 'node:path'
import { errnoCode } from '../errors/errors.js'
import { sendSignal } from './signals.js'
import { exists } from './probe.js'

/** The subtree made at the hierarchy's root when this process runs in the root cgroup. */
export const SUBTREE = 'runit-ts'

export interface Hierarchy {
  /** where cgroup2 is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified */
  mount: string
  /** this process's cgroup, as a directory */
  home: string
  /** the directory service cgroups are made in */
  base: string
}

export type HierarchyResult = { ok: true, hierarchy: Hierarchy } | { ok: false, why: string }

let found: HierarchyResult | undefined

/** This process's usable cgroup2 hierarchy, found once (a supervisor does not move on its own). */
export function findHierarchy (): HierarchyResult {
  found ??= probeHierarchy()
  return found
}

function probeHierarchy (): HierarchyResult {
  let mountinfo: string, own: string
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')
    own = readFileSync('/proc/self/cgroup', 'utf8')
  } catch {
    return { ok: false, why: 'no /proc' }
  }
  // mountinfo: id parent major:minor root mountpoint options ... - fstype source superoptions
  const mount = mountinfo.split('\n').map(l => l.split(' ')).find(f => f[f.indexOf('-') + 1] === 'cgroup2')
  const path = /^0::(.*)$/m.exec(own)?.[1]
  if (mount === undefined || path === undefined) return { ok: false, why: 'no cgroup2 hierarchy' }
  const [root, point] = [unescapeMount(mount[3]!), unescapeMount(mount[4]!)]
  const rel = relative(root, path)
  if (rel.startsWith('..') || isAbsolute(rel)) return { ok: false, why: 'own cgroup not under the cgroup2 mount' }
  const home = join(point, rel)
  // Never fill the hierarchy's root with service cgroups: a subtree of our own there.
  if (rel !== '' && writable(home) && writable(join(home, 'cgroup.procs'))) {
    return { ok: true, hierarchy: { mount: point, home, base: home } }
  }
  const base = join(point, SUBTREE)
  try {
    mkdirSync(base)
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') return { ok: false, why: `cgroup2 not writable (${errnoCode(err) ?? 'error'})` }
  }
  if (!writable(join(home, 'cgroup.procs'))) return { ok: false, why: 'own cgroup not writable' }
  return { ok: true, hierarchy: { mount: point, home, base } }
}

function writable (path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeMount (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)))
}

/** One cgroup, by its directory. */
export class Cgroup {
  constructor (readonly dir: string) {}

  /** Makes the directory (and its parents); an existing one is reused. */
  make (): void {
    mkdirSync(this.dir, { recursive: true })
  }

  /** The pids of its processes (an empty list once it is gone). */
  procs (): number[] {
    let text: string
    try {
      text = readFileSync(join(this.dir, 'cgroup.procs'), 'utf8')
    } catch {
      return []
    }
    return text.split('\n').filter(l => l !== '').map(Number)
  }

  /** The cgroups directly below it (a nested supervisor's); none once it is gone. */
  children (): Cgroup[] {
    try {
      return readdirSync(this.dir, { withFileTypes: true }).filter(e => e.isDirectory())
        .map(e => new Cgroup(join(this.dir, e.name)))
    } catch {
      return []
    }
  }

  /** The cgroups below it, all levels. */
  below (): Cgroup[] {
    return this.children().flatMap(c => [c, ...c.below()])
  }

  /** Whether a live process is in it or in a cgroup below (cgroup.events' populated). */
  populated (): boolean {
    try {
      return /^populated 1$/m.test(readFileSync(join(this.dir, 'cgroup.events'), 'utf8'))
    } catch {
      return false
    }
  }

  /** CPU time of every process that has been in it or below since it was made (cpu.stat's
   * usage_usec, kept without any controller), in µs; null when unreadable. */
  cpuUsec (): number | null {
    try {
      const m = /^usage_usec (\d+)$/m.exec(readFileSync(join(this.dir, 'cpu.stat'), 'utf8'))
      return m === null ? null : Number(m[1])
    } catch {
      return null
    }
  }

  /** memory.current in bytes: only where the memory controller is enabled for it, else null. */
  memoryBytes (): number | null {
    try {
      return Number(readFileSync(join(this.dir, 'memory.current'), 'utf8'))
    } catch {
      return null
    }
  }

  /** `signal` to every process in it (not below: a nested supervisor's services keep their
   * supervisor's word). A process that forks meanwhile may escape; KILL uses kill(). */
  signal (signal: NodeJS.Signals | number): void {
    for (const pid of this.procs()) sendSignal(pid, signal)
  }

  /** KILL to every process in it and below, at once: cgroup.kill (Linux 5.14), else freeze it
   * so nothing forks, KILL each, thaw. */
  kill (): void {
    const killFile = join(this.dir, 'cgroup.kill')
    if (exists(killFile)) {
      try {
        writeFileSync(killFile, '1')
        return
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return // removed meanwhile: nothing left to kill
      }
    }
    const freeze = join(this.dir, 'cgroup.freeze')
    const frozen = tryWrite(freeze, '1')
    for (const pid of this.procs()) sendSignal(pid, 'SIGKILL')
    if (frozen) tryWrite(freeze, '0')
  }

  /** Removes the directory; false when processes are still in it (EBUSY) or it cannot be. */
  remove (): boolean {
    try {
      rmdirSync(this.dir)
      return true
    } catch (err) {
      return errnoCode(err) === 'ENOENT'
    }
  }
}

function tryWrite (path: string, text: string): boolean {
  try {
    writeFileSync(path, text)
    return true
  } catch {
    return false
  }
}

/**
 * Runs `fork` (a synchronous spawn) with this whole process moved into `into` for the moment, so
 * the child is in that cgroup from its first instruction; moves back to `home` after. The first
 * move after a quiet moment waits for an RCU grace period (5-15 ms; doc/DESIGN.md), later ones
 * about 0.1 ms. Throws when the move in fails.
 */
export function forkInto<T> (into: string, home: string, fork: () => T): T {
  writeFileSync(join(into, 'cgroup.procs'), String(process.pid))
  try {
    return fork()
  } finally {
    tryWrite(join(home, 'cgroup.procs'), String(process.pid))
  }
}
