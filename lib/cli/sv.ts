// sv: control and report on services supervised by runsv (sv(8)); under any other name, the LSB
// init-script personality for the service of that name.

import { getopt, scanUlong } from './getopt.js'
import { UsageError, SysError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { lookupCommand, lookupOwnCommand, signalCommand, toAll, SIGNAL_WORD, PS_WORD, type Command } from '../sv/commands.js'
import { versionLine, type Program, type Io } from './main.js'
import type { Watched } from '../sv/events.js'

const EXIT = { ok: 0, maxFailed: 99, usage: 100, fatal: 100 } as const // sv(8)
const EXIT_LSB = { ok: 0, usage: 2, fatal: 151 } as const // sv(8) "LSB init script"

export const USAGE = 'sv [-v] [-w sec] command service ...'
const usageLsb = (name: string): string => `${name} [-w sec] command`

/** Debian's runit default ($SVDIR unset); upstream uses /service/. */
export const DEFAULT_SVDIR = '/etc/service'
/** Seconds to wait ($SVWAIT unset, no -w). */
export const DEFAULT_WAIT = 7

/** The LSB personality is on whenever sv is invoked under a name other than "sv". */
export const isLsb = (io: Pick<Io, 'invokedAs'>): boolean => io.invokedAs !== 'sv'



async function run (io: Io, lsb: boolean): Promise<number> {
  const startMs = Date.now()
  const { opts, rest } = getopt(io.argv, lsb ? 'w:vV' : 'w:vVja')
  if (opts.has('V')) {
    io.stderr(versionLine('sv') + '\n')
    throw new UsageError()
  }
  let waitSec = io.env.SVWAIT === undefined ? DEFAULT_WAIT : scanUlong(io.env.SVWAIT)
  const w = opts.get('w')
  if (typeof w === 'string') waitSec = scanUlong(w)
  const verbose = opts.has('v') || opts.has('w') // -w implies -v (sv(8))

  const word = rest[0]
  if (word === undefined) throw new UsageError()
  const own = lsb ? null : lookupOwnCommand(word)
  if (own === 'list') return await list(io, rest.slice(1), opts.has('j'))
  if (own === 'log' && !opts.has('j')) return await log(io, rest.slice(1))
  if (own === 'wait' && !opts.has('j')) return await waitEvent(io, rest.slice(1), waitSec)
  if (own === 'events' && !opts.has('j')) return await events(io, rest.slice(1))
  if ((own === 'new' || own === 'remove') && !opts.has('j')) return await instances(io, own, rest.slice(1), waitSec)
  if (opts.has('j')) throw new UsageError('illegal option -- j') // runit's words: -j belongs to list only
  if (!lsb && word === PS_WORD) {
    if (opts.has('a')) throw new UsageError('illegal option -- a')
    return await ps(io, rest.slice(1))
  }
  const signalWord = !lsb && word === SIGNAL_WORD
  const names = lsb ? [io.invokedAs] : rest.slice(signalWord ? 2 : 1)
  if (names.length === 0) throw new UsageError()
  let command: Command | null = signalWord ? await signalCommandOf(rest[1]!) : lookupCommand(word, lsb)
  if (command === null) throw new UsageError()
  if (opts.has('a')) {
    const { signalNumber } = await import('../os/signals.js')
    command = toAll(command, signalNumber)
    if (command === null) throw new UsageError(`-a: not a signal command: ${word}`)
  }

  const { runSv } = await import('../sv/client.js')
  const outcome = await runSv({
    command,
    names,
    svdir: io.env.SVDIR ?? DEFAULT_SVDIR,
    cwd: io.cwd,
    env: io.env,
    verbose,
    waitSec,
    lsb,
    sink: { stdout: io.stdout, stderr: io.stderr },
    startMs
  })
  if (outcome.lsbStatus !== undefined) return outcome.lsbStatus
  return Math.min(outcome.errors, EXIT.maxFailed)
}

/** sv signal's command; an unknown signal is a usage error naming it. */
async function signalCommandOf (text: string): Promise<Command> {
  const { parseSignalNumber } = await import('../os/signals.js')
  const signo = parseSignalNumber(text)
  if (signo === null) throw new UsageError(`unknown signal: ${text}`)
  return signalCommand(signo, false)
}

/** sv ps service ...: each service's processes as a tree, headed by its cgroup (sv(8)). */
async function ps (io: Io, names: string[]): Promise<number> {
  if (names.length === 0) throw new UsageError()
  const { resolveService } = await import('../sv/client.js')
  const { ourRunsv, serviceProcesses, psLines } = await import('../sv/ps.js')
  const { isSupervised } = await import('../svdir/ok-fifo.js')
  const { servicePaths } = await import('../svdir/layout.js')
  const { PREFIX, messageLine } = await import('../sv/report.js')
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  let errors = 0
  for (const name of names) {
    const fail = (text: string, err?: unknown): void => {
      errors++
      io.stdout(messageLine(PREFIX.fail, name, text, err))
    }
    let paths
    try {
      paths = resolveService(name, svdir, io.cwd)
    } catch (err) {
      fail('unable to change to service directory', err)
      continue
    }
    let supervised: boolean
    try {
      supervised = isSupervised(paths)
    } catch (err) {
      fail('unable to open supervise/ok', err)
      continue
    }
    if (!supervised) {
      fail('runsv not running')
      continue
    }
    const main = ourRunsv(paths)
    if (main === null) {
      fail("runsv does not list a service's processes (not runit-ts's runsv)")
      continue
    }
    const logPaths = servicePaths(paths.log)
    const logC = ourRunsv(logPaths)
    const procs = serviceProcesses(main, paths, logC === null ? null : { c: logC, paths: logPaths })
    io.stdout(psLines(name, procs).join('\n') + '\n')
  }
  return Math.min(errors, EXIT.maxFailed)
}

/** sv list [-j] [service ...]: the table (colour on a terminal, unless NO_COLOR), or JSON. */
async function list (io: Io, names: string[], json: boolean): Promise<number> {
  const { overview, overviewJson, overviewTable, failures, wantColour } = await import('../sv/overview.js')
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  let o
  try {
    o = overview(names, svdir, io.cwd, Math.floor(Date.now() / 1000))
  } catch (err) {
    throw new SysError(`unable to read directory ${svdir}`, err)
  }
  const colour = !json && wantColour((await import('node:tty')).isatty(1), io.env)
  io.stdout(json ? overviewJson(o) : overviewTable(o, colour))
  return Math.min(failures(o), EXIT.maxFailed)
}

/** Lines shown by sv log without -n (tail's default). */
export const DEFAULT_LOG_LINES = 10
/** How often sv log -f looks for news, ms. */
const FOLLOW_MS = 200

/** sv log [-f] [-n N] service ...: the last lines of each service's svlogd directories. */
async function log (io: Io, args: string[]): Promise<number> {
  const { opts, rest: names } = getopt(args, 'fn:')
  const n = opts.get('n')
  const count = typeof n === 'string' ? scanUlong(n) : DEFAULT_LOG_LINES
  if (names.length === 0) throw new UsageError()
  const { resolveService } = await import('../sv/client.js')
  const { readFileSync } = await import('node:fs')
  const { svlogdDirs, tailServices, CurrentFollower, mergeLines } = await import('../sv/log.js')
  const { PREFIX, messageLine } = await import('../sv/report.js')
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  let errors = 0
  const services: Array<{ name: string, dirs: string[] }> = []
  for (const name of names) {
    let dirs: string[]
    try {
      const p = resolveService(name, svdir, io.cwd)
      dirs = svlogdDirs(readFileSync(`${p.log}/run`, 'utf8'), p.log)
    } catch (err) {
      errors++
      io.stdout(messageLine(PREFIX.warning, name, 'unable to read log/run', err))
      continue
    }
    if (dirs.length === 0) {
      errors++
      io.stdout(messageLine(PREFIX.warning, name, 'no svlogd log directory in log/run'))
      continue
    }
    services.push({ name, dirs })
  }
  const show = (lines: ReadonlyArray<{ service: string, text: string }>): void => {
    if (lines.length === 0) return
    io.stdout(lines.map(l => (names.length > 1 ? `${l.service}: ` : '') + l.text + '\n').join(''))
  }
  const followers = opts.has('f') ? services.flatMap(s => s.dirs.map(d => new CurrentFollower(s.name, d))) : []
  show(count === 0 ? [] : tailServices(services, count))
  if (!opts.has('f') || followers.length === 0) return Math.min(errors, EXIT.maxFailed)
  return await new Promise<number>(() => {
    setInterval(() => { show(mergeLines(followers.map(f => f.poll()))) }, FOLLOW_MS)
  })
}

/** The services sv wait and sv events name, resolved as sv resolves them; the failures said. */
async function watched (io: Io, names: string[]): Promise<{ services: Watched[], errors: number }> {
  const { resolveService } = await import('../sv/client.js')
  const { PREFIX, messageLine } = await import('../sv/report.js')
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  const services: Watched[] = []
  let errors = 0
  for (const name of names) {
    try {
      services.push({ name, paths: resolveService(name, svdir, io.cwd) })
    } catch (err) {
      errors++
      io.stdout(messageLine(PREFIX.fail, name, 'unable to change to service directory', err))
    }
  }
  return { services, errors }
}

/** sv [-w sec] wait EVENT service ...: until each service reaches EVENT (sv(8)). */
async function waitEvent (io: Io, args: string[], waitSec: number): Promise<number> {
  const [event, ...names] = args
  if (event === undefined || names.length === 0) throw new UsageError()
  const { isEventName } = await import('../protocol/events.js')
  if (!isEventName(event)) throw new UsageError(`unknown event: ${event}`)
  const { waitFor, timeoutLine } = await import('../sv/events.js')
  const { services, errors } = await watched(io, names)
  let late
  try {
    late = await waitFor(event, services, waitSec * 1000)
  } catch (err) {
    throw new SysError('unable to listen in supervise/event', err)
  }
  const nowSec = Math.floor(Date.now() / 1000)
  for (const w of late) io.stdout(timeoutLine(w, nowSec))
  return Math.min(errors + late.length, EXIT.maxFailed)
}

/** sv events [service ...]: every later event of the services (all of $SVDIR's without names) as
 * JSON lines, until a signal ends it. */
async function events (io: Io, names: string[]): Promise<number> {
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  if (names.length === 0) {
    const { readdirSync } = await import('node:fs')
    try {
      names = readdirSync(svdir, { withFileTypes: true }).filter(e => !e.name.startsWith('.') && (e.isDirectory() || e.isSymbolicLink())).map(e => e.name).sort()
    } catch (err) {
      throw new SysError(`unable to read directory ${svdir}`, err)
    }
  }
  const { watch, EventFormatter } = await import('../sv/events.js')
  const { services, errors } = await watched(io, names)
  if (services.length === 0) return Math.min(errors, EXIT.maxFailed)
  const fmt = new EventFormatter()
  let end: () => void = () => {}
  const ended = new Promise<void>(resolve => { end = resolve })
  // false once the reader has gone (sv events | head -1): then it ends like at a signal
  const put = (text: string): boolean => io.stdoutBytes?.(Buffer.from(text)) ?? (io.stdout(text), true)
  let subs
  try {
    subs = watch(services, (w, ev) => { if (!put(fmt.line(w, ev))) end() })
  } catch (err) {
    throw new SysError('unable to listen in supervise/event', err)
  }
  // Ended by a signal: the FIFOs are removed (runsv would remove them at its next event anyway).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, end)
  await ended
  for (const s of subs) s.close()
  return Math.min(errors, EXIT.maxFailed)
}

/** sv new TEMPLATE [VALUE ...] and sv remove INSTANCE ... (sv(8)). */
async function instances (io: Io, word: 'new' | 'remove', args: string[], waitSec: number): Promise<number> {
  const [first, ...more] = args
  if (first === undefined) throw new UsageError()
  const { newInstances, removeInstances } = await import('../sv/instances.js')
  const svdir = io.env.SVDIR ?? DEFAULT_SVDIR
  const r = word === 'new' ? newInstances(first, more, svdir, io.cwd) : await removeInstances(args, svdir, io.cwd, waitSec)
  io.stdout(r.out)
  return Math.min(r.failures, EXIT.maxFailed)
}

export const sv: Program = {
  name: 'sv',
  usage: io => isLsb(io) ? usageLsb(io.invokedAs) : USAGE,
  exit: EXIT,
  async main (io) {
    const lsb = isLsb(io)
    try {
      return await run(io, lsb)
    } catch (err) {
      // Handled here rather than by runMain: the LSB codes differ, and runit's sv prints
      // "fatal: …" without its name.
      if (err instanceof UsageError) {
        if (err.message !== 'usage') io.stderr(`${io.invokedAs}: ${err.message}\n`)
        io.stderr(`usage: ${sv.usage(io)}\n\n`)
        return lsb ? EXIT_LSB.usage : EXIT.usage
      }
      if (err instanceof SysError) {
        makeSay('', io.stderr).fatal(err.what, err.cause)
        return lsb ? EXIT_LSB.fatal : EXIT.fatal
      }
      throw err
    }
  }
}
