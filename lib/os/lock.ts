// flock(2) locks that runit's C tools see: Node has no flock, so flock(1) takes the lock on a
// descriptor we pass it as fd 3. flock locks belong to the open file description, which the
// child shares with us, so the lock stays ours after flock(1) exits and dies when we close the
// descriptor (or the process ends). Fallback if flock(1) is missing: say so (ENOSYS) and fail.

import { spawn, spawnSync } from 'node:child_process'
import { openSync, constants } from 'node:fs'

/** Opens a lock file the way runit's open_append does: write, append, create 0600, non-blocking. */
export function openLockFile (path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600)
}

function flockResult (status: number | null, error: Error | undefined): boolean {
  if (error !== undefined) throw Object.assign(new Error(`flock(1): ${error.message}`), { code: (error as NodeJS.ErrnoException).code ?? 'ENOSYS' })
  if (status === 0) return true
  if (status === 1) return false
  throw Object.assign(new Error(`flock(1) exited ${String(status)}`), { code: 'EIO' })
}

/** flock(LOCK_EX|LOCK_NB) on fd: true when locked, false when another holder has it (EAGAIN). */
export function lockExNb (fd: number): boolean {
  const r = spawnSync('flock', ['-xn', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
  return flockResult(r.status, r.error)
}

/** flock(LOCK_EX) on fd, waiting for it (without blocking the event loop). */
export function lockEx (fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
    child.once('error', (error) => { reject(Object.assign(error, { code: (error as NodeJS.ErrnoException).code ?? 'ENOSYS' })) })
    child.once('exit', (code) => {
      if (code === 0) resolve()
      else reject(Object.assign(new Error(`flock(1) exited ${String(code)}`), { code: 'EIO' }))
    })
  })
}

/** True when some process holds an exclusive flock on path (probe with a fresh descriptor). */
export function isLocked (path: string): boolean {
  const r = spawnSync('flock', ['-xn', path, 'true'], { stdio: 'ignore' })
  return r.status === 1
}

/**
 * A supervisor's whole start-up in one spawn: lock fd 3 without waiting, then (when `waitFd` is
 * given) fd 4 waiting, then make the FIFOs in `fifos`. flock(1) on a descriptor cannot run a
 * command, so a small sh(1) script chains the steps; one process from Node instead of three
 * keeps hundreds of supervisors quick to start in one Node process.
 * Resolves true when the locks are held, false when fd 3's lock belongs to someone else.
 */
export function lockThenMakeFifos (fd: number, waitFd: number | null, fifos: readonly string[]): Promise<boolean> {
  const BUSY = 99
  const script = [
    `flock -xn 3 || exit ${BUSY}`,
    ...(waitFd === null ? [] : ['flock -x 4 || exit 98']),
    // mkfifo's own failure (a FIFO that appeared meanwhile) is left to the caller's type check.
    ...(fifos.length === 0 ? [] : ['mkfifo -m 600 -- "$@" 2>/dev/null']),
    'exit 0'
  ].join('\n')
  const stdio: Array<'ignore' | number> = ['ignore', 'ignore', 'ignore', fd]
  if (waitFd !== null) stdio.push(waitFd)
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script, 'sh', ...fifos], { stdio })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve(true)
      else if (code === BUSY) resolve(false)
      else reject(Object.assign(new Error(`flock(1) failed (${String(code)})`), { code: 'EIO' }))
    })
  })
}
