// A crash-safe directory lock for cooperating Node processes (runsvdir's, runsvdir(8) FILES),
// through proper-lockfile, which only this file imports; not flock(2): no C tool shares it.

import lockfile from 'proper-lockfile'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { errnoCode } from '../errors/errors.js'
import { procStat } from './proc.js'

/**
 * The holder's pid, in <dir>/<name>/pid. proper-lockfile's lock is an atomic mkdir whose mtime the
 * holder refreshes; one not refreshed for `staleMs` is taken over. With the pid, a lock whose
 * holder is dead (or a zombie, or ourselves: a restarted container's pid 1) is stale at once.
 * Pid checks assume one pid namespace; elsewhere the mtime rule still applies.
 */
const OWNER = 'pid'

/** lock directories this process holds (a pid file naming us is otherwise a stale leftover) */
const held = new Set<string>()

export interface DirLock {
  /** the lock directory */
  readonly path: string
  /** gives the lock up (also done by proper-lockfile when the process exits) */
  release: () => void
}

export type LockResult =
  | { ok: true, lock: DirLock }
  /** another live process holds it; its pid when it left one */
  | { ok: false, holder: number | undefined }

export interface LockOptions {
  /** name of the lock directory inside dir */
  name: string
  /** called when the lock was lost (removed or not refreshable); the caller may lock again */
  onCompromised: (err: Error) => void
  /** ms without refresh after which a lock is stale (proper-lockfile's minimum is 2000) */
  staleMs?: number
}

function removeOwner (lockPath: string): void {
  try { fs.unlinkSync(join(lockPath, OWNER)) } catch { /* none */ }
}

// proper-lockfile's fs: node's, except that the lock directory is made with the pid inside (so
// the mtime proper-lockfile records and later checks already includes it), and removing the lock
// directory removes the pid first.
const lockFs = {
  ...fs,
  mkdirSync: (path: string) => {
    fs.mkdirSync(path)
    try {
      fs.writeFileSync(join(path, OWNER), `${process.pid}\n`)
    } catch { /* the lock holds without it; only the fast stale check is lost */ }
  },
  rmdir: (path: string, cb: (err: NodeJS.ErrnoException | null) => void) => { removeOwner(path); fs.rmdir(path, cb) },
  rmdirSync: (path: string) => { removeOwner(path); fs.rmdirSync(path) }
}

/** Does `pid` name a live process (not a zombie)? EPERM means it exists. */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if (errnoCode(err) !== 'EPERM') return false
  }
  try {
    return !['Z', 'X'].includes(procStat(pid).state)
  } catch {
    return true // no /proc: trust kill(0)
  }
}

function readOwner (lockPath: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(join(lockPath, OWNER), 'latin1'), 10)
    return n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the lock on directory `dir` (which must exist) without waiting. Returns the holder when
 * another live process has it; throws the system error otherwise (ENOENT, EACCES, EROFS…).
 */
export function lockDirectory (dir: string, opts: LockOptions): LockResult {
  const real = fs.realpathSync(dir)
  const path = join(real, opts.name)
  const options = {
    realpath: false,
    lockfilePath: path,
    stale: opts.staleMs ?? 10_000,
    fs: lockFs,
    onCompromised: (err: Error) => { held.delete(path); opts.onCompromised(err) }
  }
  if (held.has(path)) return { ok: false, holder: process.pid }
  for (let attempt = 0; ; attempt++) {
    try {
      // lockSync turns the fs's *Sync calls into its callback ones: our mkdirSync is used.
      const release = lockfile.lockSync(real, options)
      held.add(path)
      let released = false
      return {
        ok: true,
        lock: {
          path,
          release: () => {
            if (released) return
            released = true
            held.delete(path)
            try { release() } catch { /* already lost */ }
          }
        }
      }
    } catch (err) {
      if (errnoCode(err) !== 'ELOCKED') throw err
      const holder = readOwner(path)
      // Once only: a second ELOCKED means a live process took it meanwhile.
      if (attempt > 0 || holder === undefined || (holder !== process.pid && alive(holder))) return { ok: false, holder }
      // Re-read just before removing: narrows (cannot close) the race with another process that
      // cleaned the same stale lock and took it meanwhile.
      if (readOwner(path) !== holder) return { ok: false, holder: readOwner(path) }
      try { lockFs.rmdirSync(path) } catch { /* someone else cleaned up */ }
    }
  }
}
