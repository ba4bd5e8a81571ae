// `runit --container [-- CMD …]`: an init for a container with no stage scripts. The services of
// a directory run under runsvdir's loop (injected by lib/cli/runit.ts, which may compose
// programs); CMD, when given, is the container's main program, and its end ends the container
// with its code (s6-overlay's CMD). TERM (docker stop) or a critical service's failure ends it too.

import type { Say } from '../errors/say.js'
import { sendSignal } from '../os/signals.js'
import { start, exitCode, endEverything, type Ending, type Started } from './children.js'
import { CriticalWatch, failureCode, type Failure } from './critical.js'

/** docker stop waits 10 s before KILL: everything must be down well within that. */
export const DEFAULT_STOP_MS = 7000
/** What is left after the services' stop gets TERM, then KILL after this. */
export const LEFTOVER_GRACE_MS = 1000

/** The service tree, as runsvdir -1 runs it. */
export interface Services {
  start: () => void
  /** stop every service with its stop policy (runsvdir's HUP) */
  stop: () => void
  /** resolves when every supervisor has ended */
  readonly done: Promise<unknown>
}

export interface ContainerOptions {
  /** the service directory, absolute */
  dir: string
  /** the main command and its arguments, or none */
  cmd: string[] | undefined
  env: NodeJS.ProcessEnv
  say: Say
  note: (msg: string) => void
  services: Services
  stopMs?: number
}

type Why = { kind: 'term' } | { kind: 'cmd', ending: Ending } | { kind: 'critical', failure: Failure } | { kind: 'services' }

/** The code when the service tree ends by itself (runsvdir's loop failed: it said why). */
export const EXIT_SERVICES = 111

export class Container {
  private readonly opts: ContainerOptions
  private wake!: (why: Why) => void
  private readonly why: Promise<Why>

  constructor (opts: ContainerOptions) {
    this.opts = opts
    this.why = new Promise(resolve => { this.wake = resolve })
  }

  /** TERM (docker stop), INT (^C under docker run -it). */
  stop (): void {
    this.wake({ kind: 'term' })
  }

  /** Runs until the container must end; resolves with its exit code. */
  async main (): Promise<number> {
    const { cmd, env, say, note, services } = this.opts
    const critical = new CriticalWatch(this.opts.dir)
    critical.start(failure => { this.wake({ kind: 'critical', failure }) })
    services.start()
    // Until we stop it, the loop ends only when it cannot go on (another runsvdir holds the
    // directory): a container without its services must not linger.
    void Promise.resolve(services.done).then(() => { this.wake({ kind: 'services' }) })
    let main: Started | undefined
    if (cmd !== undefined) {
      const s = await start(cmd[0]!, cmd.slice(1), env, false)
      if (s instanceof Error) {
        say.warn(`unable to start ${cmd[0]!}`, s)
        this.wake({ kind: 'cmd', ending: { error: s } })
      } else {
        main = s
        void s.ended.then(ending => { this.wake({ kind: 'cmd', ending }) })
      }
    }
    const why = await this.why
    critical.stop()
    let code = 0
    switch (why.kind) {
      case 'cmd':
        code = exitCode(why.ending)
        note(`main command ended (exit code ${code}), stopping the services`)
        break
      case 'critical':
        code = failureCode(why.failure.death)
        say.warn(`critical service failed: ${why.failure.name}, stopping the services`)
        break
      case 'term':
        note('stop requested, stopping the services')
        break
      case 'services':
        code = EXIT_SERVICES
        say.warn('the services\' supervision ended, stopping')
        break
    }
    services.stop()
    if (main !== undefined && why.kind !== 'cmd') {
      sendSignal(main.pid, 'SIGTERM')
      sendSignal(main.pid, 'SIGCONT')
    }
    const cmdEnded = main === undefined ? Promise.resolve(undefined) : main.ended
    let timer: NodeJS.Timeout | undefined
    const window = this.opts.stopMs ?? DEFAULT_STOP_MS
    const deadline = new Promise<'late'>(resolve => { timer = setTimeout(() => { resolve('late') }, window) })
    const all = await Promise.race([Promise.all([services.done, cmdEnded]), deadline])
    clearTimeout(timer)
    if (all === 'late') say.warn('services did not stop in time, killing what is left')
    await endEverything(LEFTOVER_GRACE_MS)
    // Stopped from outside, the container ends with the main command's code (KILL's after the
    // stop window; 137 should it outlive even that, in an uninterruptible sleep).
    if (why.kind === 'term' && main !== undefined) {
      const killed: Ending = { code: null, signal: 'SIGKILL' }
      let t2: NodeJS.Timeout | undefined
      const late = new Promise<Ending>(resolve => { t2 = setTimeout(() => { resolve(killed) }, 2000) })
      const ending = await Promise.race([main.ended, late])
      clearTimeout(t2)
      code = exitCode(ending)
    }
    return code
  }
}
