// Resource limits: Node has no setrlimit, so soft limits are set by setrlimit(2) through the FFI
// right before chpst's execve(2) through it (limitValues, lib/os/ffi.ts), or else by prlimit(1)
// (util-linux) as one stage of the exec chain: prlimit sets its own limits and execs the next program in the same
// process, so the limits land on the process that becomes the program, never on Node itself (a
// CPU, address-space or open-files limit would cripple the Node process chpst runs in). Hard
// limits are read from /proc/self/limits; children and exec keep them, so they are the program's.

import { readFileSync } from 'node:fs'

/** prlimit(1)'s names, which are also chpst's resource names. */
export type Rlimit = 'as' | 'core' | 'cpu' | 'data' | 'fsize' | 'memlock' | 'nofile' | 'nproc' | 'rss' | 'stack'

/** RLIM_INFINITY */
export const UNLIMITED = (1n << 64n) - 1n

const PROC_NAMES: Readonly<Record<string, Rlimit>> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as'
}

export interface LimitPair { soft: bigint, hard: bigint }

/** Parses /proc/<pid>/limits text into soft/hard pairs (unlimited = UNLIMITED). */
export function parseLimits (text: string): Partial<Record<Rlimit, LimitPair>> {
  const out: Partial<Record<Rlimit, LimitPair>> = {}
  const value = (s: string): bigint => s === 'unlimited' ? UNLIMITED : BigInt(s)
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line)
    const name = m === null ? undefined : PROC_NAMES[m[1]!]
    if (name !== undefined) out[name] = { soft: value(m![2]!), hard: value(m![3]!) }
  }
  return out
}

/** This process's limits (the program inherits its hard limits unchanged). */
export function ownLimits (): Partial<Record<Rlimit, LimitPair>> {
  return parseLimits(readFileSync('/proc/self/limits', 'utf8'))
}

/**
 * prlimit(1) arguments setting only soft limits: each value is capped at the hard limit, silently
 * as runit does; 'hard' means soft := hard (softlimit's "=").
 */
export function prlimitArgs (soft: Partial<Record<Rlimit, bigint | 'hard'>>, limits: Partial<Record<Rlimit, LimitPair>>): string[] {
  return (Object.entries(soft) as Array<[Rlimit, bigint | 'hard']>).map(([name, wanted]) => {
    const hard = limits[name]?.hard ?? UNLIMITED
    const v = wanted === 'hard' || wanted > hard ? hard : wanted
    return `--${name}=${v === UNLIMITED ? 'unlimited' : v.toString()}:`
  })
}

/** The same decision as prlimitArgs, as values for setrlimit(2) (the FFI, lib/os/ffi.ts): the
 * soft limit wanted, capped at the hard one, which stays. */
export function limitValues (soft: Partial<Record<Rlimit, bigint | 'hard'>>, limits: Partial<Record<Rlimit, LimitPair>>): Array<{ name: Rlimit, soft: bigint, hard: bigint }> {
  return (Object.entries(soft) as Array<[Rlimit, bigint | 'hard']>).map(([name, wanted]) => {
    const hard = limits[name]?.hard ?? UNLIMITED
    return { name, soft: wanted === 'hard' || wanted > hard ? hard : wanted, hard }
  })
}
