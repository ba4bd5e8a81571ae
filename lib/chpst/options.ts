// chpst's command line and its argv0 personalities (envdir, envuidgid, pgrphack, setuidgid,
// softlimit, setlock) → one Plan. PURE: no fs, no process. Names, files and limits are resolved
// later by apply.ts, in runit's fixed order, so errors come out in the order runit reports them.

import { UsageError } from '../errors/errors.js'

export type Personality = 'chpst' | 'envdir' | 'envuidgid' | 'pgrphack' | 'setuidgid' | 'softlimit' | 'setlock'

const PERSONALITIES: readonly Personality[] = ['envdir', 'envuidgid', 'pgrphack', 'setuidgid', 'softlimit', 'setlock']

/** `$Id$` line chpst -V prints (runit 2.1.2's chpst.c). */
export const VERSION = '$Id: f279d44141c981dd7535a12260efcf1ef7beed26 $'

/** getopt option strings, runit's; undefined = the personality takes no options at all. */
export const OPTION_SPEC: Readonly<Record<Personality, string | undefined>> = {
  chpst: 'u:U:b:e:m:d:o:p:f:c:r:t:/:n:l:L:vP012V',
  softlimit: 'a:c:d:f:l:m:o:p:r:s:t:',
  setlock: 'nNxX',
  envdir: undefined,
  envuidgid: undefined,
  pgrphack: undefined,
  setuidgid: undefined
}

/** runit's name for messages and personalities: argv0's basename with one leading 'd' removed. */
export function progName (invokedAs: string): string {
  return invokedAs.startsWith('d') ? invokedAs.slice(1) : invokedAs
}

export function personalityOf (progname: string): Personality {
  return PERSONALITIES.find(p => p === progname) ?? 'chpst'
}

/** Usage line without "usage: ", as runit prints it (chpst's lists no -r but accepts it). */
export function usageLine (which: Personality, progname: string): string {
  switch (which) {
    case 'chpst': return `${progname} [-vVP012] [-u user[:group]] [-U user[:group]] [-b argv0] [-e dir] [-/ root] [-n nice] [-l|-L lock] [-m n] [-d n] [-o n] [-p n] [-f n] [-c n] [-t n] prog`
    case 'envdir': return 'envdir dir child'
    case 'envuidgid': return 'envuidgid account child'
    case 'pgrphack': return 'pgrphack child'
    case 'setuidgid': return 'setuidgid account child'
    case 'setlock': return 'setlock [ -nNxX ] file program [ arg ... ]'
    case 'softlimit': return 'softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child'
  }
}

/** A usage error that knows which usage text to print (softlimit prints chpst's for a bad number). */
export class PlanUsage extends UsageError {
  constructor (message: string, readonly usageOf: Personality, readonly version = false) {
    super(message)
  }
}

export type Resource = 'as' | 'core' | 'cpu' | 'data' | 'fsize' | 'memlock' | 'nofile' | 'nproc' | 'rss' | 'stack'

/** A soft limit: a number (rlim_t, 64 bits) or softlimit's "=" (soft := hard). */
export type Limit = bigint | 'hard'

/**
 * Who to become (-u, -U, setuidgid, envuidgid), still unresolved:
 * - account: setuidgid/envuidgid's plain passwd name ("unknown account" errors);
 * - user: -u name (uid and primary gid from passwd);
 * - user-groups: -u name:group[:group…] (gids from the group file, first is primary);
 * - ids: -u :uid:gid[:gid…], numeric, no lookups;
 * - invalid: a malformed numeric spec, reported when runit would reach it.
 */
export type UserSpec =
  | { kind: 'account', name: string }
  | { kind: 'user', name: string, spec: string }
  | { kind: 'user-groups', name: string, groups: string[], spec: string }
  | { kind: 'ids', uid: number, gids: number[] }
  | { kind: 'invalid', text: string }

export interface Plan {
  personality: Personality
  /** name used in usage and getopt lines */
  progname: string
  verbose: boolean
  /** -P, pgrphack: setsid() (errors ignored, as runit) */
  setsid: boolean
  /** -e dir, envdir: subdirectories are skipped by -e, fatal for envdir */
  envdir?: { dir: string, subdirs: 'skip' | 'fatal' }
  /** -/ root */
  root?: string
  /** -n: increment for nice(2); 0 does nothing */
  nice: number
  /** -U, envuidgid: set $UID and $GID */
  envUser?: UserSpec
  /** -u, setuidgid */
  user?: UserSpec
  /** -l (wait) / -L (no wait); setlock: default no wait, -n wait */
  lock?: { path: string, wait: boolean }
  /** setlock -x: when the lock cannot be taken or the program cannot be run, exit 0 quietly */
  quietFailure: boolean
  /** -0 -1 -2 */
  close: { stdin: boolean, stdout: boolean, stderr: boolean }
  limits: Partial<Record<Resource, Limit>>
  /** -b: argv[0] for the program */
  argv0?: string
  /** program and its arguments (never empty) */
  program: [string, ...string[]]
}

/** What getopt hands over: options in order, then the operands. */
export interface Options {
  order: ReadonlyArray<{ letter: string, value?: string }>
  rest: readonly string[]
}

const U64 = 64

/** runit's scan_ulong used strictly: only decimal digits (none at all means 0), wrapping at 2^64. */
function decimal (text: string): bigint | undefined {
  if (!/^[0-9]*$/.test(text)) return undefined
  return BigInt.asUintN(U64, BigInt(text === '' ? '0' : text))
}

function number (text: string, usageOf: Personality): bigint {
  const n = decimal(text)
  if (n === undefined) throw new PlanUsage('', usageOf)
  return n
}

/** -n: "-k", "+k" or "k", stored like runit's int (so 4294967295 is -1). */
function niceIncrement (text: string): number {
  const negative = text.startsWith('-')
  const digits = negative || text.startsWith('+') ? text.slice(1) : text
  const n = number(digits, 'chpst')
  return Number(BigInt.asIntN(32, negative ? -n : n))
}

/** -u / -U argument (runit's extended form). */
export function parseUserSpec (spec: string): UserSpec {
  if (spec.startsWith(':')) {
    const body = spec.slice(1)
    const [uidText = '', ...gidTexts] = body.split(':')
    const ids = [uidText, ...gidTexts].map(decimal)
    if (gidTexts.length === 0 || ids.some(n => n === undefined)) return { kind: 'invalid', text: body }
    const [uid, ...gids] = ids.map(n => Number(BigInt.asUintN(32, n!)))
    return { kind: 'ids', uid: uid!, gids }
  }
  const [name = '', ...groups] = spec.split(':')
  return groups.length === 0 ? { kind: 'user', name, spec } : { kind: 'user-groups', name, groups, spec }
}

const CHPST_LIMITS: Readonly<Record<string, readonly Resource[]>> = {
  m: ['data', 'stack', 'memlock', 'as'],
  d: ['data'],
  o: ['nofile'],
  p: ['nproc'],
  f: ['fsize'],
  c: ['core'],
  r: ['rss'],
  t: ['cpu']
}

const SOFTLIMIT_LIMITS: Readonly<Record<string, readonly Resource[]>> = {
  a: ['as'],
  c: ['core'],
  d: ['data'],
  f: ['fsize'],
  l: ['memlock'],
  m: ['data', 'stack', 'memlock', 'as'],
  o: ['nofile'],
  p: ['nproc'],
  r: ['rss'],
  s: ['stack'],
  t: ['cpu']
}

function emptyPlan (personality: Personality, progname: string, program: readonly string[]): Plan {
  return {
    personality,
    progname,
    verbose: false,
    setsid: false,
    nice: 0,
    quietFailure: false,
    close: { stdin: false, stdout: false, stderr: false },
    limits: {},
    program: program as [string, ...string[]]
  }
}

/** Every mode needs a program after its options (checked after them, as runit does). */
function withProgram (p: Plan, usageOf: Personality): Plan {
  if (p.program.length === 0) throw new PlanUsage('', usageOf)
  return p
}

function chpstPlan (progname: string, opts: Options): Plan {
  const p = emptyPlan('chpst', progname, opts.rest)
  let lockSeen = false
  for (const { letter, value = '' } of opts.order) {
    const limited = CHPST_LIMITS[letter]
    if (limited !== undefined) {
      const n = number(value, 'chpst')
      for (const r of limited) p.limits[r] = n
      continue
    }
    switch (letter) {
      case 'u': p.user = parseUserSpec(value); break
      case 'U': p.envUser = parseUserSpec(value); break
      case 'b': p.argv0 = value; break
      case 'e': p.envdir = { dir: value, subdirs: 'skip' }; break
      case '/': p.root = value; break
      case 'n': p.nice = niceIncrement(value); break
      case 'l':
      case 'L':
        if (lockSeen) throw new PlanUsage('', 'chpst') // one lock only, and not both -l and -L
        lockSeen = true
        p.lock = { path: value, wait: letter === 'l' }
        break
      case 'v': p.verbose = true; break
      case 'P': p.setsid = true; break
      case '0': p.close.stdin = true; break
      case '1': p.close.stdout = true; break
      case '2': p.close.stderr = true; break
      case 'V': throw new PlanUsage('', 'chpst', true)
    }
  }
  return withProgram(p, 'chpst')
}

function softlimitPlan (progname: string, opts: Options): Plan {
  const p = emptyPlan('softlimit', progname, opts.rest)
  for (const { letter, value = '' } of opts.order) {
    // runit's quirk: a bad number prints chpst's usage text (under the name softlimit).
    const n: Limit = value === '=' ? 'hard' : number(value, 'chpst')
    for (const r of SOFTLIMIT_LIMITS[letter] ?? []) p.limits[r] = n
  }
  return withProgram(p, 'softlimit')
}

function setlockPlan (progname: string, opts: Options): Plan {
  const [path, ...program] = opts.rest
  if (path === undefined) throw new PlanUsage('', 'setlock')
  const p = emptyPlan('setlock', progname, program)
  // runit's setlock: no wait unless -n (the reverse of daemontools' setlock).
  let wait = false
  for (const { letter } of opts.order) {
    if (letter === 'n') wait = true
    if (letter === 'N') wait = false
    if (letter === 'x') p.quietFailure = true
    if (letter === 'X') p.quietFailure = false
  }
  p.lock = { path, wait }
  return withProgram(p, 'setlock')
}

/** First operand for personalities without options (runit does not parse "--" for them). */
function operandPlan (
  personality: Personality, progname: string, rest: readonly string[]
): { plan: Plan, operand: string } {
  const [operand, ...program] = rest
  if (operand === undefined) throw new PlanUsage('', personality)
  return { plan: withProgram(emptyPlan(personality, progname, program), personality), operand }
}

/**
 * Builds the plan. `opts` is getopt's result over OPTION_SPEC[personality], or, for the
 * personalities without options, just the raw arguments as `rest`.
 */
export function makePlan (personality: Personality, progname: string, opts: Options): Plan {
  switch (personality) {
    case 'chpst': return chpstPlan(progname, opts)
    case 'softlimit': return softlimitPlan(progname, opts)
    case 'setlock': return setlockPlan(progname, opts)
    case 'pgrphack': {
      const p = withProgram(emptyPlan('pgrphack', progname, opts.rest), 'pgrphack')
      p.setsid = true
      return p
    }
    case 'envdir': {
      const { plan, operand } = operandPlan('envdir', progname, opts.rest)
      plan.envdir = { dir: operand, subdirs: 'fatal' }
      return plan
    }
    case 'envuidgid': {
      const { plan, operand } = operandPlan('envuidgid', progname, opts.rest)
      plan.envUser = { kind: 'account', name: operand }
      return plan
    }
    case 'setuidgid': {
      const { plan, operand } = operandPlan('setuidgid', progname, opts.rest)
      plan.user = { kind: 'account', name: operand }
      return plan
    }
  }
}
