// Kernel state that Node does not expose: process group and session (from /proc/self/stat), a
// process's start time, and the nice value of the thread that forks and execs.

import { readFileSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { errnoError } from '../errors/errors.js'

export interface ProcStat {
  pid: number
  /** R, S, D, T, Z (exited, not yet reaped), X, … */
  state: string
  ppid: number
  pgrp: number
  session: number
  tpgid: number
  /** clock ticks from boot to the process's start */
  startTicks: number
  /** where the original argv lies in its memory (what the kernel shows as cmdline) */
  argStart: number
  argEnd: number
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function procStat (pid: number | 'self' = 'self'): ProcStat {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const head = Number.parseInt(text, 10)
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // after ")": state(3) ppid pgrp session tty_nr tpgid(8) … starttime(22) … arg_start(48) arg_end
  return {
    pid: head, state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), tpgid: Number(f[5]),
    startTicks: Number(f[19]),
    argStart: Number(f[45]), argEnd: Number(f[46])
  }
}

/** USER_HZ, the unit of /proc's clock ticks: 100 on every Linux architecture's ABI. */
const TICKS_PER_SECOND = 100

/**
 * When a live process started, in unix seconds (whole: /proc/stat's boot time has no more), or
 * null when there is no such process or it has exited (a zombie waiting for its parent).
 */
export function processStartSeconds (pid: number): number | null {
  let st: ProcStat
  try {
    st = procStat(pid)
  } catch {
    return null
  }
  if (st.state === 'Z' || st.state === 'X') return null
  const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
  return boot === null ? null : Number(boot[1]) + Math.floor(st.startTicks / TICKS_PER_SECOND)
}

/** setsid(2) fails with EPERM for a process group leader; runit ignores that failure. */
export function isGroupLeader (): boolean {
  const s = procStat()
  return s.pgrp === s.pid
}

/** True when this process's group is the foreground group of its controlling terminal. */
export function inTerminalForeground (): boolean {
  const s = procStat()
  return s.tpgid > 0 && s.tpgid === s.pgrp
}

/**
 * nice(inc): adds inc to the nice value, clamped to -20..19 as the kernel does. On Linux the nice
 * value belongs to the thread; this is Node's main thread, the one that forks and execs.
 * Errors carry runit's errno: glibc's nice() turns EACCES into EPERM.
 */
export function nice (inc: number): number {
  const next = Math.max(-20, Math.min(19, getPriority() + inc))
  try {
    setPriority(next)
  } catch (err) {
    const code = (err as { info?: { code?: string } }).info?.code ?? 'EPERM'
    throw errnoError(code === 'EACCES' ? 'EPERM' : code, `setpriority: ${code}`)
  }
  return next
}

export interface ProcUsage {
  /** user + system CPU time of the process itself (not its children), in seconds */
  cpuSeconds: number
  /** resident set size in bytes (VmRSS) */
  rssBytes: number
}

/** CPU time and resident memory of a live process from /proc, or null when there is none. */
export function procUsage (pid: number): ProcUsage | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    if (f[0] === 'Z' || f[0] === 'X') return null
    // after ")": utime(14) and stime(15) in clock ticks
    const cpuSeconds = (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { cpuSeconds, rssBytes: rss === null ? 0 : Number(rss[1]) * 1024 }
  } catch {
    return null
  }
}
