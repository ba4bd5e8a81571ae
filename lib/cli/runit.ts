// runit: process no 1 (runit(8)): the three stages of /etc/runit, or, with --container, an init
// for a container that runs a service directory (and a main command) with no stage scripts.
// Either way it reaps every zombie re-parented to it, which Node alone does not.

import { join, resolve } from 'node:path'
import { UsageError } from '../errors/errors.js'
import { makeSay, type Say } from '../errors/say.js'
import { exists, statIfExists } from '../os/probe.js'
import { setChildSubreaper } from '../os/ffi.js'
import { startReaper, trackNodeChildren } from '../os/reaper.js'
import { Stages } from '../init/stages.js'
import { Container, DEFAULT_STOP_MS } from '../init/container.js'
import { prefixedStdio } from '../init/prefix.js'
import { Runsvdir } from '../runsvdir/runsvdir.js'
import { inProcessLauncher } from '../runsvdir/launcher.js'
import { Supervisor } from '../runsv/supervisor.js'
import { SysError } from '../errors/errors.js'
import type { Program, Io } from './main.js'

// runit(8) has no usage error and exits only by halting; these are ours (documented in runit(8)).
const EXIT = { usage: 100, fatal: 111 } as const

export const USAGE = 'runit [--container [--] [command ...]]'

/** The stage directory: runit's /etc/runit, elsewhere for containers and tests. */
export const STAGES_ENV = 'RUNIT_TS_STAGES'
export const DEFAULT_STAGES = '/etc/runit'
/** --container's service directory. */
export const SERVICES_ENV = 'RUNIT_TS_SERVICES'
export const DEFAULT_SERVICES = '/etc/service'
/** --container: seconds the services get to stop after TERM before what is left gets KILL. */
export const STOP_WAIT_ENV = 'RUNIT_TS_STOP_WAIT'

export type Args = { mode: 'stages' } | { mode: 'container', cmd: string[] | undefined }

export function parseArgs (argv: readonly string[]): Args {
  if (argv.length === 0) return { mode: 'stages' }
  if (argv[0] !== '--container') throw new UsageError()
  const rest = argv[1] === '--' ? argv.slice(2) : argv.slice(1)
  return { mode: 'container', cmd: rest.length > 0 ? [...rest] : undefined }
}

/** Reaps orphans from the start (and adopts them when not PID 1); without the FFI, says so and
 * goes on: the services still run, only orphans stay zombies. */
function reapEverything (say: Say): void {
  trackNodeChildren()
  try {
    if (process.pid !== 1) setChildSubreaper()
    startReaper()
  } catch (err) {
    say.warn('unable to load the FFI, orphans will not be reaped', err)
  }
}

/** The stop window in ms, or undefined when the variable is not a number of seconds. */
function stopWaitMs (io: Io): number | undefined {
  const text = io.env[STOP_WAIT_ENV]
  if (text === undefined || text === '') return DEFAULT_STOP_MS
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : undefined
}

async function stages (io: Io, say: Say, note: (msg: string) => void): Promise<number> {
  const dir = resolve(io.cwd, io.env[STAGES_ENV] || DEFAULT_STAGES)
  if (statIfExists(dir)?.isDirectory() !== true) say.warn(`unable to open stage directory: ${dir}`)
  const runner = new Stages({ dir, env: io.env, say, note })
  const handlers = {
    SIGTERM: () => { runner.shutdown() },
    SIGINT: () => { runner.ctrlAltDel() },
    SIGCONT: () => { runner.cont() }
  } as const
  for (const [sig, h] of Object.entries(handlers)) process.on(sig, h)
  try {
    return await runner.main()
  } finally {
    for (const [sig, h] of Object.entries(handlers)) process.off(sig, h)
  }
}

async function container (io: Io, say: Say, note: (msg: string) => void, cmd: string[] | undefined): Promise<number> {
  const stopMs = stopWaitMs(io)
  if (stopMs === undefined) {
    say.fatal(`${STOP_WAIT_ENV} is not a number of seconds: ${io.env[STOP_WAIT_ENV]!}`)
    return EXIT.usage
  }
  const dir = resolve(io.cwd, io.env[SERVICES_ENV] || DEFAULT_SERVICES)
  if (statIfExists(dir)?.isDirectory() !== true) {
    say.fatal(`unable to open service directory: ${dir}`)
    return EXIT.fatal
  }
  // A service without log/ writes through a pipe of ours that prefixes its lines; one pair per
  // service for the container's life (runsvdir -1 may create a supervisor again).
  const stdio = new Map<string, { in: number, out: number, err: number }>()
  const stdioOf = (name: string): { in: number, out: number, err: number } => {
    if (exists(join(dir, name, 'log'))) return { in: 0, out: 1, err: 2 }
    let s = stdio.get(name)
    if (s === undefined) {
      try {
        s = { in: 0, ...prefixedStdio(name, io.stdout, io.stderr) }
      } catch (err) {
        say.warn(`unable to create the output pipes of ${name}`, err)
        s = { in: 0, out: 1, err: 2 }
      }
      stdio.set(name, s)
    }
    return s
  }
  const launcher = inProcessLauncher({
    dir,
    create: name => Supervisor.start({ dir: name, cwd: dir, say: makeSay(`runsv ${name}`, io.stderr), stdio: stdioOf(name) }),
    fatal: (name, err) => {
      const runsvSay = makeSay(`runsv ${name}`, io.stderr)
      if (err instanceof SysError) runsvSay.fatal(err.what, err.cause)
      else runsvSay.fatal(`internal error: ${err instanceof Error ? err.message : String(err)}`)
    }
  })
  const loop = new Runsvdir({ dir, cwd: io.cwd, say: makeSay(`runsvdir ${dir}`, io.stderr), launcher, stopGraceMs: Math.max(stopMs - 1000, 500) })
  const box = new Container({
    dir,
    cmd,
    env: io.env,
    say,
    note,
    stopMs,
    services: {
      start: () => { loop.start() },
      stop: () => { loop.hangup() },
      done: loop.done.then(outcome => {
        if (outcome.kind === 'fatal') makeSay(`runsvdir ${dir}`, io.stderr).fatal(outcome.msg, outcome.err)
      })
    }
  })
  const stop = (): void => { box.stop() }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  try {
    return await box.main()
  } finally {
    process.off('SIGTERM', stop)
    process.off('SIGINT', stop)
  }
}

export const runit: Program = {
  name: 'runit',
  usage: () => USAGE,
  exit: { usage: EXIT.usage, fatal: EXIT.fatal },
  showAtStart: true,
  async main (io) {
    const args = parseArgs(io.argv)
    const say = makeSay('- runit', io.stderr)
    const note = (msg: string): void => { io.stderr(`- runit: ${msg}\n`) }
    reapEverything(say)
    const code = args.mode === 'stages' ? await stages(io, say, note) : await container(io, say, note, args.cmd)
    // The end of the init: pipes and listeners left open must not keep it alive.
    setTimeout(() => { process.exit() }, 0).unref()
    return code
  }
}
