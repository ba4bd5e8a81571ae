// flock(2) locks that runit's C tools see: Node has no flock, so flock(1) takes the lock on a
// descriptor we pass it as fd 3. flock locks belong to the open file description, which the
// child shares with us, so the lock stays ours after flock(1) exits and dies when we close the
// descriptor (or the process ends). Where flock(1) or mkfifo(1) is missing (a busybox-like image
// without them), the same calls go through the FFI (os/ffi.ts), loaded only then.

import { spawn, spawnSync } from 'node:child_process'
import { openSync, closeSync, constants } from 'node:fs'
import { makeFifos } from './fifo.js'
import { findProgram } from './program-file.js'
import { flockNative, mkfifoNative } from './ffi.js'
import { errnoCode, errnoError } from '../errors/errors.js'

/** Opens a lock file the way runit's open_append does: write, append, create 0600, non-blocking. */
export function openLockFile (path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600)
}

function flockResult (status: number | null, error: Error | undefined): boolean {
  if (error !== undefined) throw errnoError(errnoCode(error) ?? 'ENOSYS', `flock(1): ${error.message}`)
  if (status === 0) return true
  if (status === 1) return false
  throw errnoError('EIO', `flock(1) exited ${String(status)}`)
}

/** flock(LOCK_EX|LOCK_NB) on fd: true when locked, false when another holder has it (EAGAIN). */
export function lockExNb (fd: number): boolean {
  if (helperless()) return lockNative(fd)
  const r = spawnSync('flock', ['-xn', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
  return flockResult(r.status, r.error)
}

/** flock(LOCK_EX) on fd, waiting for it (without blocking the event loop). */
export function lockEx (fd: number): Promise<void> {
  if (helperless()) return lockNativeWaiting(fd)
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
    child.once('error', (error) => { reject(errnoError(errnoCode(error) ?? 'ENOSYS', error.message)) })
    child.once('exit', (code) => {
      if (code === 0) resolve()
      else reject(errnoError('EIO', `flock(1) exited ${String(code)}`))
    })
  })
}

/** True when some process holds an exclusive flock on path (probe with a fresh descriptor). */
export function isLocked (path: string): boolean {
  if (helperless()) {
    const fd = openSync(path, constants.O_RDONLY)
    try { return !lockNative(fd) } finally { closeSync(fd) }
  }
  const r = spawnSync('flock', ['-xn', path, 'true'], { stdio: 'ignore' })
  return r.status === 1
}

/** One supervisor's start-up request: lock `fd` without waiting, then `waitFd` waiting, then make `fifos`. */
interface StartRequest {
  fd: number
  waitFd: number | null
  fifos: readonly string[]
  resolve: (locked: boolean) => void
  reject: (err: Error) => void
}

let pending: StartRequest[] = []

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`

/**
 * A supervisor's whole start-up in one spawn: lock fd 3 without waiting, then (when `waitFd` is
 * given) `waitFd` waiting, then make the FIFOs in `fifos`. flock(1) on a descriptor cannot run a
 * command, so a small sh(1) script chains the steps. Requests made in the same turn of the event
 * loop share one script (and one mkfifo): runsvdir -1 starting 200 services then spawns 2
 * processes instead of 600.
 * Resolves true when the locks are held, false when fd's lock belongs to someone else.
 */
export function lockThenMakeFifos (fd: number, waitFd: number | null, fifos: readonly string[]): Promise<boolean> {
  if (helperless()) return lockThenMakeNative(fd, waitFd, fifos)
  return new Promise((resolve, reject) => {
    pending.push({ fd, waitFd, fifos, resolve, reject })
    if (pending.length === 1) setImmediate(runStartBatch)
  })
}

/** flock(LOCK_EX|LOCK_NB) through the FFI: false when another holder has it. */
function lockNative (fd: number): boolean {
  try {
    flockNative(fd, false)
    return true
  } catch (err) {
    if (errnoCode(err) === 'EWOULDBLOCK' || errnoCode(err) === 'EAGAIN') return false
    throw err
  }
}

/** A waiting flock through the FFI without blocking the event loop: tried every 100 ms (rare:
 * only a log/supervise/lock held by another runsv). */
async function lockNativeWaiting (fd: number): Promise<void> {
  while (!lockNative(fd)) await new Promise(resolve => setTimeout(resolve, 100))
}

async function lockThenMakeNative (fd: number, waitFd: number | null, fifos: readonly string[]): Promise<boolean> {
  if (!lockNative(fd)) return false
  if (waitFd !== null) await lockNativeWaiting(waitFd)
  for (const f of fifos) mkfifoNative(f)
  return true
}

let noHelpers: boolean | undefined

/** flock(1) or mkfifo(1) cannot be run here (looked up once in PATH): then the FFI does their
 * work, and koffi is loaded (os/ffi.ts loads it on first call only). */
export function helperless (): boolean {
  noHelpers ??= !findProgram('flock', process.env.PATH).ok || !findProgram('mkfifo', process.env.PATH).ok
  return noHelpers
}

/** What the script prints for each request, one line "<request> <word>" each. */
const LOCKED = 'locked'
const BUSY = 'busy'
/** the first lock is ours, the second is held elsewhere: wait for it outside the batch */
const WAIT = 'wait'

/** A script is one argument, which the kernel caps at 128 KiB (MAX_ARG_STRLEN: E2BIG beyond),
 * and each request passes one or two descriptors: at most this many requests, and about this
 * many bytes of FIFO paths, per script. */
const BATCH_MAX = 100
const BATCH_PATH_BYTES = 64 * 1024

function runStartBatch (): void {
  const all = pending
  pending = []
  let chunk: StartRequest[] = []
  let bytes = 0
  for (const r of all) {
    const size = r.fifos.reduce((n, f) => n + Buffer.byteLength(f) + 3, 0)
    if (chunk.length > 0 && (chunk.length >= BATCH_MAX || bytes + size > BATCH_PATH_BYTES)) {
      runScript(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(r)
    bytes += size
  }
  if (chunk.length > 0) runScript(chunk)
}

function runScript (batch: readonly StartRequest[]): void {
  const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'ignore']
  const lines: string[] = ['set --']
  batch.forEach((r, i) => {
    const a = stdio.push(r.fd) - 1
    const made = r.fifos.length === 0 ? '' : `; set -- "$@" ${r.fifos.map(quote).join(' ')}`
    if (r.waitFd === null) {
      lines.push(`if flock -xn ${a}; then echo ${i} ${LOCKED}${made}; else echo ${i} ${BUSY}; fi`)
    } else {
      const b = stdio.push(r.waitFd) - 1
      lines.push(`if ! flock -xn ${a}; then echo ${i} ${BUSY}; elif flock -xn ${b}; then echo ${i} ${LOCKED}${made}; else echo ${i} ${WAIT}; fi`)
    }
  })
  // mkfifo's own failure (a FIFO that appeared meanwhile) is left to the callers' type checks.
  lines.push('[ $# -eq 0 ] || mkfifo -m 600 -- "$@" 2>/dev/null', 'exit 0')
  const fail = (err: Error): void => {
    const e = errnoError(errnoCode(err) ?? 'EIO', err.message)
    for (const r of batch) r.reject(e)
  }
  let child: ReturnType<typeof spawn>
  try {
    child = spawn('/bin/sh', ['-c', lines.join('\n')], { stdio })
  } catch (err) {
    fail(err as Error) // E2BIG, EMFILE… thrown at once: each supervisor says it, the host goes on
    return
  }
  let out = ''
  child.stdout!.setEncoding('latin1').on('data', (d: string) => { out += d })
  child.once('error', fail)
  child.once('close', (code) => {
    if (code !== 0) {
      fail(new Error(`flock(1) failed (${String(code)})`))
      return
    }
    const words = new Map(out.split('\n').filter(Boolean).map(l => l.split(' ') as [string, string]))
    batch.forEach((r, i) => {
      const word = words.get(String(i))
      if (word === LOCKED) r.resolve(true)
      else if (word === BUSY) r.resolve(false)
      else if (word === WAIT && r.waitFd !== null) {
        lockEx(r.waitFd).then(() => { makeFifos(r.fifos); r.resolve(true) }, r.reject)
      } else r.reject(errnoError('EIO', `flock(1) said nothing for request ${i}`))
    })
  })
}
