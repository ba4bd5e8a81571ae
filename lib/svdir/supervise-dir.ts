// supervise/ and log/supervise/ as runsv sets them up (runsv.c main): the service directory,
// ./log, supervise/ (or a symlink's target), the lock, the control and ok FIFOs, and the pipe to
// the log service. Each failure is runit's fatal line (a SysError), after closing what was opened.

import { statSync, mkdirSync, readlinkSync, realpathSync } from 'node:fs'
import { resolve, join } from 'node:path'
import { SysError, errnoCode, errnoError } from '../errors/errors.js'
import type { Say } from '../errors/say.js'
import { isFifo } from '../os/fifo.js'
import { openLockFile, lockThenMakeFifos } from '../os/lock.js'
import { makePipe, type Pipe } from '../os/pipe.js'
import { closeQuietly, exists, statIfExists } from '../os/probe.js'
import { servicePaths, type SvPaths } from './layout.js'
import { openControl, type ControlReader } from './control-fifo.js'
import { holdOk } from './ok-fifo.js'

export type Side = 'main' | 'log'

export interface SuperviseDir {
  paths: SvPaths
  /** 'supervise' or 'log/supervise', as runit's messages name it */
  label: string
  lockFd: number
  control: ControlReader
  /** supervise/ok's read end once held (holdOkFifo), else -1 */
  okFd: number
}

export interface Supervised {
  main: SuperviseDir
  log: SuperviseDir | null
  /** from ./run's stdout to log/run's stdin, when there is a log service */
  pipe: Pipe | null
}

/** runsv's chdir: the directory resolved once, so renaming or unlinking a symlink to it later
 * does not cut the supervisor off from its files. */
export function openServiceDir (dir: string, cwd: string): SvPaths {
  const given = servicePaths(dir, cwd)
  try {
    if (!statSync(given.dir).isDirectory()) throw errnoError('ENOTDIR', 'not a directory')
    return servicePaths(realpathSync(given.dir))
  } catch (err) {
    throw new SysError('unable to change to directory', err)
  }
}

/** ./log's paths when it is a directory; else null, said when something else is there. */
export function findLog (paths: SvPaths, say: Say): SvPaths | null {
  try {
    const st = statIfExists(paths.log)
    if (st?.isDirectory() === true) return servicePaths(paths.log)
    if (st !== undefined) say.warn('./log: not a directory.')
  } catch (err) {
    say.warn('unable to stat() ./log: ', err)
  }
  return null
}

/**
 * Makes supervise/ (and log/supervise/), takes both locks, creates the missing FIFOs, checks
 * their types, opens the control FIFOs (each letter goes to `onControl`) and the log pipe.
 */
export async function setUpSupervise (paths: SvPaths, log: SvPaths | null,
  onControl: (side: Side, letter: string) => void): Promise<Supervised> {
  const opened: Array<() => void> = []
  try {
    return await setUp(paths, log, onControl, opened)
  } catch (err) {
    // In a shared process a half-set-up supervisor would leak them.
    for (const close of opened.reverse()) close()
    throw err
  }
}

async function setUp (paths: SvPaths, log: SvPaths | null, onControl: (side: Side, letter: string) => void,
  opened: Array<() => void>): Promise<Supervised> {
  const lock = (p: SvPaths, label: string): number => {
    const fd = openOrFail(() => openLockFile(p.lock), `unable to open ${label}/lock`)
    opened.push(() => { closeQuietly(fd) })
    return fd
  }
  makeSupervise(paths.supervise, paths.dir, './supervise')
  const sides = [{ side: 'main' as Side, paths, label: 'supervise', lockFd: lock(paths, 'supervise') }]
  if (log !== null) {
    makeSupervise(log.supervise, log.dir, './log/supervise')
    sides.push({ side: 'log', paths: log, label: 'log/supervise', lockFd: lock(log, 'log/supervise') })
  }
  const pipeFifo = log === null ? null : log.tmp(join(log.supervise, 'pipe'))
  const fifos = [...sides.flatMap(s => [s.paths.control, s.paths.ok]), ...(pipeFifo === null ? [] : [pipeFifo])]
  let locked: boolean
  try {
    locked = await lockThenMakeFifos(sides[0]!.lockFd, sides[1]?.lockFd ?? null, fifos.filter(f => !exists(f)))
  } catch (err) {
    throw new SysError('unable to lock supervise/lock', err)
  }
  if (!locked) throw new SysError('unable to lock supervise/lock', errnoError('EAGAIN'))

  const dirs: SuperviseDir[] = []
  for (const s of sides) {
    if (!isFifo(s.paths.control)) throw new SysError(`${s.label}/control exists but is not a fifo`, undefined)
    const control = openOrFail(() => openControl(s.paths, c => { onControl(s.side, c) }), `unable to open ${s.label}/control`)
    opened.push(() => { control.close() })
    dirs.push({ paths: s.paths, label: s.label, lockFd: s.lockFd, control, okFd: -1 })
  }
  for (const d of dirs) {
    // runit does not check; a regular file named ok would make sv believe runsv runs (runsv(8)).
    if (!isFifo(d.paths.ok)) throw new SysError(`${d.label}/ok exists but is not a fifo`, undefined)
  }
  const pipe = pipeFifo === null ? null : openOrFail(() => makePipe(pipeFifo), 'unable to create log pipe')
  return { main: dirs[0]!, log: dirs[1] ?? null, pipe }
}

/** Opens supervise/ok for good: from then on sv sees a running runsv (ok-fifo.ts). */
export function holdOkFifo (d: SuperviseDir): void {
  if (d.okFd < 0) d.okFd = openOrFail(() => holdOk(d.paths), `unable to read ${d.label}/ok`)
}

/** Releases the control reader, supervise/ok and the lock. */
export function closeSupervise (d: SuperviseDir): void {
  d.control.close()
  if (d.okFd >= 0) closeQuietly(d.okFd)
  closeQuietly(d.lockFd)
}

/** runit's supervise/ creation: mkdir 0700, or create a symlink's target (relative to `base`). */
function makeSupervise (path: string, base: string, label: string): void {
  try {
    mkdirSync(path, { mode: 0o700 })
    return
  } catch { /* exists, or a symlink */ }
  let target: string
  try {
    target = readlinkSync(path)
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'ENOENT' || code === 'EINVAL') return
    throw new SysError(`unable to readlink ${label}`, err)
  }
  // runit's own words for its 256-byte buffer, not strerror's "file name too long".
  if (Buffer.byteLength(target) >= 256) throw new SysError(`unable to readlink ${label}: name too long`, undefined)
  try {
    mkdirSync(resolve(base, target), { mode: 0o700 })
  } catch { /* runit ignores errors here; the lock open reports them */ }
}

function openOrFail<T> (open: () => T, what: string): T {
  try {
    return open()
  } catch (err) {
    if (err instanceof SysError) throw err
    throw new SysError(what, err)
  }
}
