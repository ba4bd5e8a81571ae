// runsvdir: start and keep one runsv per service directory of a directory (runsvdir(8)).

import { resolve } from 'node:path'
import { UsageError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { Runsvdir } from '../runsvdir/runsvdir.js'
import { processLauncher, inProcessLauncher, type Launcher } from '../runsvdir/launcher.js'
import { Supervisor } from '../runsv/supervisor.js'
import { SysError } from '../errors/errors.js'
import { startLogTitle, MIN_LOG_LENGTH, type LogTitle } from '../runsvdir/proctitle.js'
import type { Program, Io } from './main.js'

const EXIT = { term: 0, usage: 1, fatal: 100, hup: 111 } as const // runsvdir(8)

// runit's usage line, kept byte for byte; -1 (one process) is in runsvdir(8).
export const USAGE = 'runsvdir [-P] dir'

export interface Args {
  /** -P: every runsv in its own session */
  pgrp: boolean
  /** -1: every supervisor inside this process instead of a runsv process per service */
  oneProcess: boolean
  dir: string
  log: string | undefined
  /** how many arguments precede the log (its index in the arguments) */
  before: number
}

/**
 * runit's parsing, not getopt: only the first argument may be an option. "-P…" sets -P, "--…"
 * is skipped, anything else (even "-X") is the directory. Arguments after the log are ignored.
 */
export function parseArgs (argv: readonly string[]): Args {
  let i = 0
  let pgrp = false
  let oneProcess = false
  const first = argv[0]
  if (first !== undefined && first[0] === '-') {
    if (first[1] === 'P') { pgrp = true; i++ } else if (first[1] === '1') { oneProcess = true; i++ } else if (first[1] === '-') i++
  }
  const dir = argv[i]
  if (dir === undefined) throw new UsageError()
  return { pgrp, oneProcess, dir, log: argv[i + 1], before: i + 1 }
}

/** SIGINT stops everything as SIGHUP does (runit: default action), so ^C in a terminal leaves
 * nothing running; SIGALRM is Debian's forced rescan. */
const SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGALRM'] as const

export const runsvdir: Program = {
  name: 'runsvdir',
  usage: io => `${io.argv0} [-P] dir`,
  exit: { usage: EXIT.usage, fatal: EXIT.fatal },
  showAtStart: true,
  who: io => {
    try { return `runsvdir ${parseArgs(io.argv).dir}` } catch { return 'runsvdir' }
  },
  async main (io) {
    const args = parseArgs(io.argv)
    const who = `runsvdir ${args.dir}`
    const title = args.log === undefined ? undefined : openLog(io, args, who)
    const write = title?.write ?? io.stderr
    const say = makeSay(who, write)
    const abs = resolve(io.cwd, args.dir)
    const stderrFd = title?.stderrFd ?? 2
    const launcher: Launcher = args.oneProcess
      ? inProcessLauncher({
        dir: abs,
        create: name => Supervisor.start({ dir: name, cwd: abs, say: makeSay(`runsv ${name}`, write), stdio: { in: 0, out: 1, err: stderrFd } }),
        fatal: (name, err) => {
          const runsvSay = makeSay(`runsv ${name}`, write)
          if (err instanceof SysError) runsvSay.fatal(err.what, err.cause)
          else runsvSay.fatal(`internal error: ${err instanceof Error ? err.message : String(err)}`)
        }
      })
      : processLauncher({ dir: abs, setsid: args.pgrp, stderrFd, env: io.env })
    const loop = new Runsvdir({ dir: args.dir, cwd: io.cwd, say, launcher })
    // In one process the supervisors cannot outlive runsvdir: TERM stops them as HUP does, and
    // still exits 0.
    let termed = false
    const handlers: Record<(typeof SIGNALS)[number], () => void> = {
      SIGTERM: () => {
        if (!args.oneProcess) { loop.term(); return }
        termed = true
        loop.hangup()
      },
      SIGHUP: () => { loop.hangup() },
      SIGINT: () => { loop.hangup() },
      SIGALRM: () => { loop.alarm() }
    }
    for (const sig of SIGNALS) process.on(sig, handlers[sig])
    let outcome
    try {
      loop.start()
      outcome = await loop.done
    } finally {
      for (const sig of SIGNALS) process.off(sig, handlers[sig])
      title?.close()
    }
    switch (outcome.kind) {
      case 'term': return EXIT.term
      case 'hup': return termed ? EXIT.term : EXIT.hup
      case 'fatal':
        // On the real stderr even with a log: the title dies with the process.
        makeSay(who, io.stderr).fatal(outcome.msg, outcome.err)
        return EXIT.fatal
    }
  }
}

/** The log argument, or runit's warnings and none. */
function openLog (io: Io, args: Args, who: string): LogTitle | undefined {
  const say = makeSay(who, io.stderr)
  const log = args.log!
  if (Buffer.byteLength(log) < MIN_LOG_LENGTH) {
    say.warn('log must have at least seven characters.')
    say.warn('log service disabled.')
    return undefined
  }
  try {
    return startLogTitle({ argv: ['runsvdir', ...io.argv], at: args.before + 1 })
  } catch {
    say.warn('unable to create pipe for log.')
    say.warn('log service disabled.')
    return undefined
  }
}
