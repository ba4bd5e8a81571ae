// The package's programmatic API (`import { Service, services } from 'runit-ts'`, README "API"):
// the facts of sv list and the commands of sv, with sv's waits, in-process over sv's library
// (sv/overview.ts, sv/client.ts) and runsv's events (sv/events.ts: supervise/event/, as sv wait
// and sv events read them). No shelling out; nothing printed.

import { overview as readOverview, servicesIn, type Overview, type ServiceEntry } from '../sv/overview.js'
import { resolveService } from '../sv/client.js'
import { lookupCommand, signalCommand, type Command } from '../sv/commands.js'
import { runCaptured } from '../sv/captured.js'
import { serviceLogDirs, tailServices } from '../sv/log.js'
import { DEFAULT_SVDIR, DEFAULT_WAIT } from '../sv/defaults.js'
import { parseSignalNumber } from '../os/signals.js'
import { waitFor, watch, EventFormatter } from '../sv/events.js'
import { isEventName, type EventName } from '../protocol/events.js'

export { OVERVIEW_VERSION } from '../sv/overview.js'
export type { Overview, ServiceEntry, ServiceFacts, GroupUsage } from '../sv/overview.js'

export interface Options {
  /** the services directory for bare names (default: $SVDIR, else /etc/service, as sv) */
  svdir?: string
  /** base of names starting with "." or "/" (default: process.cwd()) */
  cwd?: string
  /** environment of ./check scripts (default: process.env) */
  env?: NodeJS.ProcessEnv
}

export interface ControlOptions {
  /** wait until the service is as asked, as sv -v (default true; false: send and return) */
  wait?: boolean
  /** seconds to wait, as sv -w (default: $SVWAIT, else 7) */
  timeout?: number
}

/** What a command did, in sv's words; failures are values, not exceptions (as sv's exit code). */
export interface ControlResult {
  /** sv would have exited 0 */
  ok: boolean
  /** fail:, warning:, timeout: and kill: lines, counted as sv counts them */
  failures: number
  /** sv's lines, e.g. "ok: run: web: (pid 123) 0s\n" */
  output: string
}

export type { EventName } from '../protocol/events.js'

/** One event of runsv, with Upstart's fields as sv events prints them. */
export interface ServiceEvent {
  event: EventName
  /** the service (Upstart's JOB); "<name>/log" for its log service */
  JOB: string
  /** VALUE of an instance NAME@VALUE, else '' */
  INSTANCE: string
  /** stopping and stopped: ok, or failed (an exit other than 0, a signal nobody asked for) */
  RESULT?: 'ok' | 'failed'
  EXIT_STATUS?: number
  EXIT_SIGNAL?: string
  /** ISO 8601 UTC with microseconds */
  time: string
  pid: number
}

/** The words of sv's commands that Service has a method for. */
export type CommandWord = 'up' | 'down' | 'once' | 'pause' | 'cont' | 'hup' | 'alarm' | 'interrupt' | 'quit' | 'usr1' | 'usr2'
  | 'term' | 'kill' | 'exit' | 'start' | 'stop' | 'restart' | 'reload' | 'shutdown' | 'check' | 'force-stop'
  | 'force-reload' | 'force-restart' | 'force-shutdown' | 'try-restart'

interface Resolved { svdir: string, cwd: string, env: NodeJS.ProcessEnv }

function resolved (o: Options): Resolved {
  const env = o.env ?? process.env
  return { svdir: o.svdir ?? env.SVDIR ?? DEFAULT_SVDIR, cwd: o.cwd ?? process.cwd(), env }
}

/** $SVWAIT as sv reads it (a decimal), else sv's default. */
function envWait (env: NodeJS.ProcessEnv): number {
  const n = /^\d+$/.test(env.SVWAIT ?? '') ? Number(env.SVWAIT) : Number.NaN
  return Number.isSafeInteger(n) ? n : DEFAULT_WAIT
}

/** One service directory, by name as sv takes it (bare under svdir, or a path). */
export class Service {
  readonly name: string
  private readonly o: Resolved

  constructor (name: string, options: Options = {}) {
    if (typeof name !== 'string' || name === '') throw new TypeError('a service name is required')
    this.name = name
    this.o = resolved(options)
  }

  /** The service directory's physical path; throws (an errno error) when it cannot be entered. */
  get dir (): string {
    return resolveService(this.name, this.o.svdir, this.o.cwd).dir
  }

  /** sv list's facts (shape OVERVIEW_VERSION), with the log service's under `log`. Never
   * throws for an unreadable service: `error` says why. */
  async status (): Promise<ServiceEntry> {
    return readOverview([this.name], this.o.svdir, this.o.cwd, Math.floor(Date.now() / 1000)).services[0]!
  }

  /** Any sv command word (sv(8)), with sv -v's wait unless `wait: false`. */
  async control (word: CommandWord | (string & {}), opts: ControlOptions = {}): Promise<ControlResult> {
    const command = lookupCommand(word, false)
    if (command === null || command.action === 'status' || command.action === 'runs') {
      throw new TypeError(`not a control command: ${word}`)
    }
    return await this.send(command, opts)
  }

  /** sv signal SIG (a name with or without SIG, any case, or a number); `all`: every process
   * of the service (runit-ts's runsv with a cgroup only). */
  async signal (sig: string | number, opts: ControlOptions & { all?: boolean } = {}): Promise<ControlResult> {
    const signo = typeof sig === 'number' ? sig : parseSignalNumber(sig)
    if (signo === null || !Number.isInteger(signo)) throw new TypeError(`unknown signal: ${String(sig)}`)
    return await this.send(signalCommand(signo, opts.all === true), opts)
  }

  private async send (command: Command, opts: ControlOptions): Promise<ControlResult> {
    const env = this.o.env
    const { errors, output } = await runCaptured({
      command,
      names: [this.name],
      svdir: this.o.svdir,
      cwd: this.o.cwd,
      env,
      verbose: opts.wait ?? true,
      waitSec: opts.timeout ?? envWait(env),
      lsb: false
    })
    return { ok: errors === 0, failures: errors, output }
  }

  up (opts?: ControlOptions): Promise<ControlResult> { return this.control('up', opts) }
  down (opts?: ControlOptions): Promise<ControlResult> { return this.control('down', opts) }
  once (opts?: ControlOptions): Promise<ControlResult> { return this.control('once', opts) }
  restart (opts?: ControlOptions): Promise<ControlResult> { return this.control('restart', opts) }
  start (opts?: ControlOptions): Promise<ControlResult> { return this.control('start', opts) }
  stop (opts?: ControlOptions): Promise<ControlResult> { return this.control('stop', opts) }
  exit (opts?: ControlOptions): Promise<ControlResult> { return this.control('exit', opts) }
  pause (opts?: ControlOptions): Promise<ControlResult> { return this.control('pause', opts) }
  cont (opts?: ControlOptions): Promise<ControlResult> { return this.control('cont', opts) }
  hup (opts?: ControlOptions): Promise<ControlResult> { return this.control('hup', opts) }
  term (opts?: ControlOptions): Promise<ControlResult> { return this.control('term', opts) }
  kill (opts?: ControlOptions): Promise<ControlResult> { return this.control('kill', opts) }
  /** waits for ./check (or for run) as sv check does */
  check (opts?: ControlOptions): Promise<ControlResult> { return this.control('check', opts) }

  /** Resolves once the service reaches `event` (sv wait): true, or false when `timeout` seconds
   * (default: $SVWAIT, else 7) ran out first. A state it is in already counts at once. */
  async wait (event: EventName, opts: { timeout?: number } = {}): Promise<boolean> {
    if (!isEventName(event)) throw new TypeError(`not an event: ${String(event)}`)
    const paths = resolveService(this.name, this.o.svdir, this.o.cwd)
    const late = await waitFor(event, [{ name: this.name, paths }], (opts.timeout ?? envWait(this.o.env)) * 1000)
    return late.length === 0
  }

  /** Every event of the service (and its log service) from now on, in order, until the loop
   * ends (break, return) or `signal` aborts. */
  events (opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<ServiceEvent> {
    return eventStream([{ name: this.name, paths: resolveService(this.name, this.o.svdir, this.o.cwd) }], opts.signal)
  }

  /** The last `n` lines of its svlogd log (as sv log -n), stamps as local time. */
  async logLines (n = 10): Promise<string[]> {
    const dirs = serviceLogDirs(resolveService(this.name, this.o.svdir, this.o.cwd))
    return tailServices([{ name: this.name, dirs }], n).map(l => l.text)
  }
}

/** Every service of the directory, as runsvdir sees them (not dot-files, directories), by name. */
export async function services (options: Options = {}): Promise<Service[]> {
  const o = resolved(options)
  return servicesIn(o.svdir, o.cwd).map(n => new Service(n, o))
}

/** The events of every service of the directory (or the named ones), as sv events. */
export function events (
  options: Options & { names?: string[], signal?: AbortSignal } = {}
): AsyncIterableIterator<ServiceEvent> {
  const o = resolved(options)
  const names = options.names ?? servicesIn(o.svdir, o.cwd)
  return eventStream(names.map(name => ({ name, paths: resolveService(name, o.svdir, o.cwd) })), options.signal)
}

/** A queue between the FIFO listeners and the consumer's loop; listening ends with the loop. */
function eventStream (
  services: Parameters<typeof watch>[0], signal?: AbortSignal
): AsyncIterableIterator<ServiceEvent> {
  const queue: ServiceEvent[] = []
  let wake: (() => void) | null = null
  let ended = false
  const format = new EventFormatter()
  const subs = watch(services, (w, ev) => {
    queue.push(format.fields(w, ev) as unknown as ServiceEvent)
    wake?.()
  })
  const end = (): void => {
    if (ended) return
    ended = true
    for (const s of subs) s.close()
    wake?.()
  }
  signal?.addEventListener('abort', end, { once: true })
  if (signal?.aborted === true) end()
  const it: AsyncIterableIterator<ServiceEvent> = {
    async next () {
      while (queue.length === 0 && !ended) await new Promise<void>(resolve => { wake = resolve })
      wake = null
      const value = queue.shift()
      return value === undefined ? { done: true, value: undefined } : { done: false, value }
    },
    async return () {
      end()
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator] () { return it }
  }
  return it
}

/** sv -j list's object for the directory (or the named services). */
export async function overview (options: Options & { names?: string[] } = {}): Promise<Overview> {
  const o = resolved(options)
  return readOverview(options.names ?? [], o.svdir, o.cwd, Math.floor(Date.now() / 1000))
}
