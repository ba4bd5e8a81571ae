// chpst: run a program with a changed process state; called envdir, envuidgid, pgrphack,
// setuidgid, softlimit or setlock, it is that tool (chpst(8)).

import { SysError, UsageError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { applyPlan } from '../chpst/apply.js'
import { OPTION_SPEC, PlanUsage, VERSION, makePlan, personalityOf, progName, usageLine, type Plan } from '../chpst/options.js'
import { dieBySignal, execve, hasExecve, hasNativeExecve, inheritedFds, relay } from '../os/exec.js'
import { setrlimitNative, setsidNative } from '../os/ffi.js'
import { findProgram } from '../os/program-file.js'
import type { NativeSteps } from '../chpst/apply.js'
import { signalNumber } from '../os/signals.js'
import { getopt } from './getopt.js'
import type { Io, Program } from './main.js'

const EXIT = { ok: 0, usage: 100, fatal: 111 } as const // chpst(8); otherwise the program's own

export const USAGE = usageLine('chpst', 'chpst')

function parse (io: Io): Plan | number {
  const progname = progName(io.invokedAs)
  const personality = personalityOf(progname)
  try {
    const spec = OPTION_SPEC[personality]
    return makePlan(personality, progname, spec === undefined ? { order: [], rest: io.argv } : getopt(io.argv, spec))
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    const usageOf = err instanceof PlanUsage ? err.usageOf : personality
    if (err instanceof PlanUsage && err.version) io.stderr(`${VERSION}\n`)
    else if (err.message !== '' && err.message !== 'usage') io.stderr(`${progname}: ${err.message}\n`)
    io.stderr(`usage: ${usageLine(usageOf, progname)}\n\n`)
    return EXIT.usage
  }
}

/**
 * What setsid(1) and prlimit(1) would do in the exec chain, done here through the FFI right
 * before execve(2): the limits last, so that Node runs under them only for the exec.
 */
function nativeSteps (steps: NativeSteps): void {
  if (steps.setsid) {
    try { setsidNative() } catch (err) { throw new SysError('unable to setsid', err) }
  }
  if (steps.limits.length > 0) {
    try { setrlimitNative(steps.limits) } catch (err) { throw new SysError('unable to setrlimit()', err) }
  }
}

function chainHelpersMissing (env: NodeJS.ProcessEnv): boolean {
  return !findProgram('prlimit', env.PATH).ok || !findProgram('setsid', env.PATH).ok
}

export const chpst: Program = {
  name: 'chpst',
  usage: io => usageLine(personalityOf(progName(io.invokedAs)), progName(io.invokedAs)),
  exit: EXIT,
  async main (io) {
    const inherited = inheritedFds() // first: before anything here opens a file
    const plan = parse(io)
    if (typeof plan === 'number') return plan
    const say = makeSay('chpst', io.stderr) // runit says chpst under every name
    // process.execve would close the inherited descriptors Node marked close-on-exec: then, and
    // on a Node without it, execve(2) through the FFI keeps them; without the FFI a relayed
    // child gets them (at the cost of a pid of its own).
    const keep = inherited.some(d => d.closeOnExec)
    // Also where setsid(1) or prlimit(1) cannot be run (a busybox-like image): the FFI does their
    // part right before execve(2), on any Node.
    const native = (keep || !hasExecve() || chainHelpersMissing(io.env)) && hasNativeExecve(io.env)
    const mode = (hasExecve() && !keep) || native ? 'execve' : 'relay'
    // Relaying, chpst is the process runsv and ps see: under its own name, as runit's chpst would
    // be until it execs (the name it was called by: chpst, or envdir, setuidgid… as a link).
    // Before applyPlan: once chpst has become another user, the kernel makes its /proc/self files
    // root's (not dumpable) and the name can no longer be set.
    if (mode === 'relay') io.showAs(io.invokedAs)
    const applied = applyPlan(plan, { env: io.env, mode, native, warn: msg => { say.warn(msg) } })
    if (applied.kind === 'quiet') return EXIT.ok
    const { chain } = applied
    if (mode === 'execve') {
      try {
        nativeSteps(applied.native)
      } catch (err) {
        if (plan.quietFailure) return EXIT.ok
        throw err
      }
      try {
        execve(chain, native ? inherited.map(d => d.fd) : []) // returns only by throwing
      } catch (err) {
        if (plan.quietFailure) return EXIT.ok
        throw new SysError(`unable to run: ${applied.program}`, err)
      }
    }
    const passFds = inherited.map(d => d.fd)
    const end = await relay({ ...chain, setsid: applied.setsid, closeAfterSpawn: applied.close, passFds })
    switch (end.kind) {
      case 'exit':
        return end.code
      case 'signal':
        dieBySignal(end.signal)
        return 128 + signalNumber(end.signal) // only if the signal could not end us
      case 'error':
        if (plan.quietFailure) return EXIT.ok
        throw new SysError(`unable to run: ${applied.program}`, end.error)
    }
  }
}
