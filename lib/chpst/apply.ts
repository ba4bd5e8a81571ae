// Applies a Plan to this process in runit's fixed order (setsid, envdir, chroot, nice, envuidgid,
// setuidgid, lock, close, limits, exec) and returns the exec chain that finishes the job. What
// Node can do in-process is done here (environment, chdir, nice, groups/gid/uid, opening the lock
// file); the rest becomes stages of the chain (chain.ts). Nothing here prints: warnings go to `warn`.

import { chownSync, closeSync, existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { constants } from 'node:os'
import { SysError, errnoError } from '../errors/errors.js'
import { reason } from '../errors/reason.js'
import { findProgram, findTool } from '../os/program-file.js'
import { limitValues, ownLimits, prlimitArgs, UNLIMITED, type Rlimit } from '../os/limits.js'
import { ignoreWords, nofileToRestore } from '../os/inherit.js'
import { openLockFile } from '../os/lock.js'
import { isGroupLeader, nice } from '../os/proc.js'
import { LookupError, getgrnams, getpwnam, groupListIn } from '../os/users.js'
import { buildChain, type Chain, type Tools } from './chain.js'
import { applyEnv, readEnvdir } from './envdir.js'
import type { Plan, UserSpec } from './options.js'

export type Mode = 'execve' | 'relay'

export type Applied =
  /** native: what chpst does itself right before its execve(2) through the FFI (else stages) */
  | { kind: 'run', chain: Chain, setsid: boolean, close: number[], program: string, native: NativeSteps }
  /** setlock -x: the lock or the program was not to be had; exit 0 quietly */
  | { kind: 'quiet' }

const errnos = constants.errno as Readonly<Record<string, number>>


interface Ids {
  uid: number
  gid: number
  /** supplementary groups, or initgroups(3) for this name */
  groups: number[] | { initgroups: string }
}

/** Resolves -u/-U/setuidgid/envuidgid, with runit's error texts, inside `root` when given. */
function resolveUser (spec: UserSpec, root: string | undefined): Ids {
  if (spec.kind === 'invalid') throw new SysError(`invalid uid/gids: ${spec.text}`, undefined)
  if (spec.kind === 'ids') return { uid: spec.uid, gid: spec.gids[0] ?? 0, groups: spec.gids }
  const account = spec.kind === 'account'
  const unknown = account ? `unknown account: ${spec.name}` : `unknown user/group: ${spec.spec}`
  try {
    const pw = getpwnam(spec.name, root)
    if (pw === undefined) throw new SysError(unknown, undefined)
    if (spec.kind !== 'user-groups') return { uid: pw.uid, gid: pw.gid, groups: { initgroups: pw.name } }
    const groups = getgrnams(spec.groups, root)
    const gids = groups.map(g => g?.gid)
    if (gids.some(g => g === undefined)) throw new SysError(unknown, undefined)
    return { uid: pw.uid, gid: gids[0]!, groups: gids as number[] }
  } catch (err) {
    if (err instanceof LookupError) {
      throw new SysError(account ? 'unable to get password file entry' : 'unable to get password/group file entry', err)
    }
    throw err
  }
}

/** process.initgroups exists on POSIX Node but is missing from @types/node 20. */
function initgroups (user: string, gid: number): void {
  (process as unknown as { initgroups: (user: string, extraGroup: number) => void }).initgroups(user, gid)
}

/** setgroups (or initgroups), setgid, setuid, in that order, on this process. */
function become (ids: Ids): void {
  try {
    if (Array.isArray(ids.groups)) process.setgroups!(ids.groups)
    else initgroups(ids.groups.initgroups, ids.gid)
  } catch (err) {
    throw new SysError('unable to setgroups', err)
  }
  try { process.setgid!(ids.gid) } catch (err) { throw new SysError('unable to setgid', err) }
  try { process.setuid!(ids.uid) } catch (err) { throw new SysError('unable to setuid', err) }
}

/** errno number → runit's words, for messages printed by the perl stage. */
const REASONS: ReadonlyMap<number, string> = new Map(Object.entries(errnos)
  .map(([code, n]) => [n, reason({ code })] as const)
  .filter(([, text]) => text !== 'unknown error'))

/** perl(1), which some options need (see chain.ts). */
function needPerl (forWhat: string): string {
  const path = findTool('perl')
  if (path === undefined) throw new SysError(`perl(1) is needed for ${forWhat}`, undefined)
  return path
}

function tool (name: string, what: string): string {
  const path = findTool(name)
  if (path === undefined) throw new SysError(`${what}: ${name} is needed`, errnoError('ENOENT'))
  return path
}

export interface NativeLimit { name: Rlimit, soft: bigint, hard: bigint }

/** The steps of the exec chain that need no helper when the FFI execs: setsid(2), then
 * setrlimit(2) (the limits after perl's lock stage would be the same: they survive exec). */
export interface NativeSteps {
  setsid: boolean
  limits: NativeLimit[]
}

export interface ApplyContext {
  env: NodeJS.ProcessEnv
  mode: Mode
  /** the exec is execve(2) through the FFI, and chpst does setsid and the limits itself: no
   * setsid(1) or prlimit(1) for them */
  native?: boolean
  warn: (msg: string) => void
}

export function applyPlan (plan: Plan, ctx: ApplyContext): Applied {
  const tools: Tools = {}
  const quietly = (err: SysError): Applied => {
    if (plan.quietFailure) return { kind: 'quiet' }
    throw err
  }

  // setsid: as in runit, a process group leader cannot, and that is not an error.
  let setsid = false
  if (plan.setsid) {
    if (!isGroupLeader()) setsid = true
    else if (plan.verbose) ctx.warn('unable to setsid: already a process group leader')
  }

  // envdir, relative to the starting directory
  let env: NodeJS.ProcessEnv = { ...ctx.env }
  if (plan.envdir !== undefined) {
    const r = readEnvdir(plan.envdir.dir, plan.envdir.subdirs)
    if (plan.verbose) for (const path of r.skipped) ctx.warn(`unable to read ${path}: is a directory`)
    env = applyEnv(env, r.changes)
  }

  // chroot: chdir now; the chroot itself is chroot(8)'s, in the chain
  let root: string | undefined
  if (plan.root !== undefined) {
    try {
      process.chdir(plan.root)
    } catch (err) {
      throw new SysError(`unable to change directory: ${plan.root}`, err)
    }
    if (process.geteuid!() !== 0) throw new SysError('unable to change root directory', errnoError('EPERM'))
    tools.chroot = tool('chroot', 'unable to change root directory')
    root = process.cwd()
  }

  if (plan.nice !== 0) {
    try { nice(plan.nice) } catch (err) { throw new SysError('unable to set nice level', err) }
  }

  if (plan.envUser !== undefined) {
    const ids = resolveUser(plan.envUser, root)
    env = applyEnv(env, [{ name: 'UID', value: String(ids.uid) }, { name: 'GID', value: String(ids.gid) }])
  }

  // setuidgid: here, or inside the new root by chroot(8)
  let chrootIds: { uid: number, gid: number, groups: number[] } | undefined
  if (plan.user !== undefined) {
    const ids = resolveUser(plan.user, root)
    if (root === undefined) {
      become(ids)
    } else {
      const groups = Array.isArray(ids.groups) ? ids.groups : groupListIn(root, ids.groups.initgroups, ids.gid)
      chrootIds = { uid: ids.uid, gid: ids.gid, groups }
    }
  }

  // lock: opened here first (as the new user, with runit's flags and mode) to report errors in
  // runit's words; taken by the perl stage on the descriptor the program keeps.
  let lock: { path: string, wait: boolean } | undefined
  if (plan.lock !== undefined) {
    const path = root !== undefined && isAbsolute(plan.lock.path) ? join(root, plan.lock.path) : plan.lock.path
    try {
      const existed = existsSync(path)
      closeSync(openLockFile(path))
      // Inside a new root the user changes later: give the file the owner runit's would have.
      if (!existed && chrootIds !== undefined) chownSync(path, chrootIds.uid, chrootIds.gid)
    } catch (err) {
      return quietly(new SysError(`unable to open lock: ${plan.lock.path}`, err))
    }
    lock = { path, wait: plan.lock.wait }
  }

  const { stdin, stdout, stderr } = plan.close
  const close = [stdin ? 0 : -1, stdout ? 1 : -1, stderr ? 2 : -1].filter(fd => fd >= 0)
  const native = ctx.native === true && ctx.mode === 'execve'
  // The lock and closing 0-2 stay perl's: it opens the lock at the lowest free descriptor, as
  // runit's chpst does, which Node's own descriptors would take here.
  if (lock !== undefined || close.length > 0) tools.perl = needPerl(lock !== undefined ? '-l, -L and setlock' : '-0, -1 and -2')

  // limits: the ones asked for, and the open-files soft limit chpst was started with (Node
  // raised its own), as the program would have kept it under runit's chpst
  let prlimit: string[] = []
  let nativeLimits: NativeLimit[] = []
  const started = nofileToRestore()
  const limits = started === undefined ? plan.limits : { nofile: started === 'unlimited' ? UNLIMITED : BigInt(started), ...plan.limits }
  if (Object.keys(limits).length > 0) {
    let own
    try { own = ownLimits() } catch (err) { throw new SysError('unable to getrlimit()', err) }
    // Not before a perl stage (the lock, closing 0-2): the limits come after it, so that -o, -p
    // or -m cannot starve perl itself.
    if (native && tools.perl === undefined) nativeLimits = limitValues(limits, own)
    else {
      prlimit = prlimitArgs(limits, own)
      tools.prlimit = tool('prlimit', 'unable to setrlimit()')
    }
  }
  const ignore = ignoreWords()

  // exec: found through chpst's own PATH (not the one -e may have set), inside the new root
  const name = plan.program[0]
  const found = findProgram(name, ctx.env.PATH, root)
  if (!found.ok) return quietly(new SysError(`unable to run: ${name}`, errnoError(found.code)))

  // Relay mode: the program dies with chpst if chpst is SIGKILLed (as it would, were it chpst).
  let pdeathsig = ctx.mode === 'relay' && (tools.setpriv = findTool('setpriv')) !== undefined
  const setsidStage = setsid && ctx.mode === 'execve' && !native
  if (setsidStage) tools.setsid = tool('setsid', 'unable to setsid')
  const otherStages = setsidStage || tools.perl !== undefined || prlimit.length > 0 || ignore.length > 0 ||
    root !== undefined
  // A later stage finds a bare name itself (as runit would, argv[0] unchanged) when it searches
  // the same PATH we did; otherwise it gets the path, and only perl(1) can then set argv[0].
  const bare = !name.includes('/') && ctx.env.PATH !== undefined && env.PATH === ctx.env.PATH
  let target = (pdeathsig || otherStages) && bare ? name : found.path
  let argv0 = plan.argv0 ?? name
  if ((pdeathsig || otherStages) && argv0 !== target) {
    tools.perl ??= findTool('perl')
    if (tools.perl === undefined) {
      if (!otherStages) {
        pdeathsig = false // spawn sets argv[0] itself; only the kill-with-chpst guard is lost
        target = found.path
      } else if (plan.argv0 !== undefined) {
        needPerl('-b together with other options')
      } else {
        argv0 = target = found.path
      }
    }
  }

  const chain = buildChain({
    tools,
    pdeathsig,
    setsid: setsidStage,
    lock,
    quiet: plan.quietFailure,
    close,
    prlimit,
    ignore,
    chroot: root === undefined ? undefined : chrootIds ?? 'keep-user',
    target,
    argv0,
    args: plan.program.slice(1),
    name,
    env,
    reasons: REASONS
  })
  const steps: NativeSteps = native
    ? { setsid: setsid && ctx.mode === 'execve', limits: nativeLimits }
    : { setsid: false, limits: [] }
  return { kind: 'run', chain, setsid: setsid && ctx.mode === 'relay', close, program: name, native: steps }
}
