// This process's kernel state that Node does not expose: process group and session (from
// /proc/self/stat), descriptors that survive exec (/proc/self/fdinfo), and the nice value.

import { readFileSync, readdirSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

export interface ProcStat { pid: number, pgrp: number, session: number, tpgid: number }

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function procStat (pid: number | 'self' = 'self'): ProcStat {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const head = Number.parseInt(text, 10)
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // after ")": state ppid pgrp session tty_nr tpgid
  return { pid: head, pgrp: Number(f[2]), session: Number(f[3]), tpgid: Number(f[5]) }
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

const O_CLOEXEC = 0o2000000

/** Descriptors without close-on-exec: what an exec'd program (or a spawned child) inherits. */
export function inheritedFds (): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name)
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
      if (flags !== null && (Number.parseInt(flags[1]!, 8) & O_CLOEXEC) === 0) out.push(fd)
    } catch { /* the directory's own descriptor, already closed */ }
  }
  return out.sort((a, b) => a - b)
}

/**
 * The descriptor open(2) would return in the exec'd program: the lowest one not inherited. 0-2
 * count as open whatever their flags here: Node's execve and spawn both hand them on.
 */
export function lowestFreeFd (): number {
  const used = new Set(inheritedFds())
  let fd = 3
  while (used.has(fd)) fd++
  return fd
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
    throw Object.assign(new Error(`setpriority: ${code}`), { code: code === 'EACCES' ? 'EPERM' : code })
  }
  return next
}
