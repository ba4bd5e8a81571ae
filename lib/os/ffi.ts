// The libc calls Node lacks (prctl, waitpid, execve with the descriptors kept), through koffi: a
// maintained FFI with prebuilt binaries for glibc and musl, so nothing is compiled at install.
// Loaded on first use only, as it costs a process ~5 ms and ~2.4 MB private (bench/README.md):
// by runit, and by chpst when it execs through it; sv, runsv, runsvdir and svlogd never load it.
// koffi stays external to the esbuild bundles: its index finds its own .node file in node_modules.

import { createRequire } from 'node:module'
import { constants } from 'node:os'
import { errnoError } from '../errors/errors.js'

/** prctl(2) option: orphaned descendants are re-parented to this process instead of PID 1. */
const PR_SET_CHILD_SUBREAPER = 36
const PR_GET_CHILD_SUBREAPER = 37
/** waitpid(2) option: return 0 at once when the child has not changed state. */
const WNOHANG = 1

/** libc's names on glibc, then musl (x86_64, aarch64), then the generic link. */
const LIBC = ['libc.so.6', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1', 'libc.so']

interface Libc {
  setsid: () => number
  flock: (fd: number, op: number) => number
  mkfifo: (path: string, mode: number) => number
  setrlimit: (resource: number, rlim: { cur: bigint, max: bigint }) => number
  execve: (path: string, argv: Array<string | null>, envp: Array<string | null>) => number
  fcntl: (fd: number, cmd: number, arg: number) => number
  prctl: (option: number, a2: number, a3: number, a4: number, a5: number) => number
  prctlOut: (option: number, out: number[], a3: number, a4: number, a5: number) => number
  waitpid: (pid: number, status: number[], options: number) => number
  errno: () => number
}

let libc: Libc | undefined

function load (): Libc {
  if (libc !== undefined) return libc
  // createRequire, not import: the bundles are CommonJS and koffi must load when asked, not before.
  const koffi = createRequire(import.meta.url)('koffi') as {
    load: (path: string) => { func: (decl: string) => (...args: unknown[]) => number }
    struct: (name: string, def: Record<string, string>) => unknown
    errno: () => number
  }
  let lib: ReturnType<typeof koffi.load> | undefined
  let last: unknown
  for (const name of LIBC) {
    try { lib = koffi.load(name); break } catch (err) { last = err }
  }
  if (lib === undefined) throw last instanceof Error ? last : new Error('cannot load libc')
  const prctl = lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)')
  const prctlOut = lib.func('int prctl(int option, _Out_ int *a2, unsigned long a3, unsigned long a4, unsigned long a5)')
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)')
  const execve = lib.func('int execve(const char *path, const char **argv, const char **envp)')
  const fcntl = lib.func('int fcntl(int fd, int cmd, int arg)')
  koffi.struct('rlimit', { cur: 'uint64_t', max: 'uint64_t' })
  const setrlimit = lib.func('int setrlimit(int resource, const rlimit *rlim)')
  const setsid = lib.func('int setsid(void)')
  const flock = lib.func('int flock(int fd, int op)')
  const mkfifo = lib.func('int mkfifo(const char *path, uint32_t mode)')
  libc = {
    setsid: () => setsid(),
    flock: (fd, op) => flock(fd, op),
    mkfifo: (path, mode) => mkfifo(path, mode),
    setrlimit: (resource, rlim) => setrlimit(resource, rlim),
    execve: (path, argv, envp) => execve(path, argv, envp),
    fcntl: (fd, cmd, arg) => fcntl(fd, cmd, arg),
    prctl: (o, a, b, c, d) => prctl(o, a, b, c, d),
    prctlOut: (o, out, b, c, d) => prctlOut(o, out, b, c, d),
    waitpid: (pid, status, options) => waitpid(pid, status, options),
    errno: () => koffi.errno()
  }
  return libc
}

/** errno's code name (ECHILD…) from its number, through Node's table. */
function errnoName (n: number): string {
  return (Object.entries(constants.errno).find(([, v]) => v === n)?.[0]) ?? `E${n}`
}

/** Makes this process the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER). */
export function setChildSubreaper (): void {
  const c = load()
  if (c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) {
    throw errnoError(errnoName(c.errno()), 'prctl PR_SET_CHILD_SUBREAPER')
  }
}

/** True when this process is a subreaper. */
export function isChildSubreaper (): boolean {
  const c = load()
  const out = [0]
  return c.prctlOut(PR_GET_CHILD_SUBREAPER, out, 0, 0, 0) === 0 && out[0] !== 0
}

/** True when the FFI loads here (koffi installed, a libc it knows). */
export function ffiAvailable (): boolean {
  try { load(); return true } catch { return false }
}

const F_SETFD = 2

/** setsid(2): this process leads a new session (and process group); throws EPERM for a group
 * leader. */
export function setsidNative (): void {
  const c = load()
  if (c.setsid() < 0) throw errnoError(errnoName(c.errno()), 'setsid')
}

const LOCK_EX = 2
const LOCK_NB = 4

/** flock(2) LOCK_EX on `fd`, waiting or not (EWOULDBLOCK then); a signal ends the wait. */
export function flockNative (fd: number, wait: boolean): void {
  const c = load()
  if (c.flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) !== 0) throw errnoError(errnoName(c.errno()), `flock ${fd}`)
}

/** mkfifo(2) with mode 0600 (before umask, as mkfifo -m 600 sets it after: chmod follows); an
 * existing path is left alone (EEXIST), as runit leaves it. */
export function mkfifoNative (path: string): void {
  const c = load()
  if (c.mkfifo(path, 0o600) !== 0) {
    const code = errnoName(c.errno())
    if (code !== 'EEXIST') throw errnoError(code, `mkfifo ${path}`)
  }
}

/** Linux's RLIMIT_* numbers, by prlimit(1)'s names (chpst's). */
const RLIMIT: Readonly<Record<string, number>> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9
}

/**
 * setrlimit(2) on this process, for a program about to be exec'd in its place (limits survive
 * exec): called right before execveNative, so that Node itself runs under them only for that
 * moment. Throws the errno error of the first that fails.
 */
export function setrlimitNative (limits: ReadonlyArray<{ name: string, soft: bigint, hard: bigint }>): void {
  const c = load()
  for (const l of limits) {
    const resource = RLIMIT[l.name]
    if (resource === undefined) throw errnoError('EINVAL', `setrlimit ${l.name}`)
    if (c.setrlimit(resource, { cur: l.soft, max: l.hard }) !== 0) throw errnoError(errnoName(c.errno()), `setrlimit ${l.name}`)
  }
}

/**
 * execve(2) for a Node without process.execve (before 22.15): the program replaces this process
 * and keeps its pid. Node marked 0-2 (and whatever it inherited up to the first gap) close-on-exec
 * as it started, so the flag is cleared on 0-2 and on `keepFds` first: unlike process.execve,
 * inherited descriptors survive. Ignored signals stay ignored across exec: the caller restores
 * what Node ignores (os/exec.ts). Returns only by throwing the errno error of a failed exec.
 */
export function execveNative (
  file: string, argv: readonly string[], env: NodeJS.ProcessEnv, keepFds: readonly number[] = []
): never {
  const c = load()
  for (const fd of [0, 1, 2, ...keepFds]) c.fcntl(fd, F_SETFD, 0) // EBADF for a closed one: nothing to keep
  const envp = Object.entries(env).flatMap(([k, v]) => v === undefined ? [] : [`${k}=${v}`])
  c.execve(file, [...argv, null], [...envp, null])
  throw errnoError(errnoName(c.errno()), `execve ${file}`)
}

/** How a reaped child ended: the raw wait status decoded. */
export interface WaitStatus {
  pid: number
  /** exit code, or null when a signal ended it */
  code: number | null
  /** the signal's number, or null */
  signal: number | null
  core: boolean
}

/** Decodes a wait(2) status word (the W* macros). */
export function decodeWaitStatus (pid: number, status: number): WaitStatus {
  const sig = status & 0x7f
  if (sig === 0) return { pid, code: (status >> 8) & 0xff, signal: null, core: false }
  return { pid, code: null, signal: sig, core: (status & 0x80) !== 0 }
}

/**
 * waitpid(pid, WNOHANG): the status when `pid` (a child of this process) had ended and is now
 * reaped, undefined while it runs, or when it is no child of ours (ECHILD: someone reaped it).
 */
export function reapNoHang (pid: number): WaitStatus | undefined {
  const c = load()
  const status = [0]
  for (;;) {
    const r = c.waitpid(pid, status, WNOHANG)
    if (r > 0) return decodeWaitStatus(r, status[0]!)
    if (r === 0) return undefined
    const code = errnoName(c.errno())
    if (code === 'EINTR') continue
    if (code === 'ECHILD') return undefined
    throw errnoError(code, `waitpid ${pid}`)
  }
}
