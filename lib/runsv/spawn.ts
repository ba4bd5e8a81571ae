// Starting ./run, ./finish and log/run (runsv.c startservice): the working directory, the log
// pipe between ./run and log/run, the supervisor's stdio, a session of their own, and for the
// main run the readiness pipe of notification-fd (readiness.ts) with supervise/ready beside it.

import type { Readable } from 'node:stream'
import { spawnProgram } from '../os/spawn.js'
import { signalNumber } from '../os/signals.js'
import type { Pipe } from '../os/pipe.js'
import type { SvPaths } from '../svdir/layout.js'
import { writeReadiness } from '../svdir/ready-file.js'
import { instanceEnv } from '../svdir/instances.js'
import type { Say } from '../errors/say.js'
import { readNotificationFd, notificationStdio, onFirstNewline } from './readiness.js'
import type { Who, Stage } from './state.js'
import type { ServiceGroup } from './service-group.js'

export interface ServiceIo {
  /** the main service's paths (the log service's directory is paths.log) */
  paths: SvPaths
  say: Say
  /** descriptors the services inherit as stdin, stdout (without log) and stderr */
  stdio: { in: number, out: number, err: number }
  /** ./run's stdout and log/run's stdin, when there is a log service */
  pipe: Pipe | null
  /** told when the main run has a notification-fd (ready false) and when it wrote its line */
  readiness?: (pid: number, ready: boolean) => void
  /** where each service's processes start (service-group.ts) */
  groups: { main: ServiceGroup, log: ServiceGroup | null }
}

/**
 * Starts `who`'s ./run or ./finish with `args`; `onExit` gets its end (the signal as a number).
 * Returns its pid, or 0 when it could not start: runit's forked child would print this and exit
 * 111, so it is said here and the caller steps an exit 111.
 */
export async function startService (io: ServiceIo, who: Who, stage: Stage, args: string[],
  onExit: (code: number | null, signal: number) => void): Promise<number> {
  const isLog = who === 'log'
  const file = stage === 'run' ? './run' : './finish'
  const notifyFd = who === 'main' && stage === 'run' ? readNotificationFd(io.paths, io.say) : null
  const r = await spawnProgram({
    file,
    args,
    cwd: isLog ? io.paths.log : io.paths.dir,
    stdin: isLog ? logPipe(io).readFd : io.stdio.in,
    stdout: !isLog && io.pipe !== null ? io.pipe.writeFd : io.stdio.out,
    stderr: io.stdio.err,
    // Own session and process group, so a whole service can be signalled and a terminal's
    // ^C reaches runsv only (runsv then stops its services in order).
    setsid: true,
    env: instanceEnv(io.paths.dir), // $INSTANCE in NAME@VALUE (svdir/instances.ts)
    extraFds: notifyFd === null ? undefined : notificationStdio(notifyFd),
    fork: (isLog ? io.groups.log ?? io.groups.main : io.groups.main).fork
  })
  if (!r.ok) {
    io.say.fatal(`unable to start ${isLog ? 'log/' : ''}${file}`, r.error)
    return 0
  }
  const notify = notifyFd === null ? null : r.child.stdio[notifyFd] as Readable
  if (notify !== null) {
    recordReadiness(io, r.pid, false) // before the run's status record, which sv reads first
    onFirstNewline(notify, () => { recordReadiness(io, r.pid, true) })
  }
  r.child.once('exit', (code, signal) => {
    notify?.destroy() // a child of the run may hold the other end open
    onExit(code, signalNumber(signal))
  })
  return r.pid
}

function logPipe (io: ServiceIo): Pipe {
  // The exit sequence closes the pipe only once the log service wants exit: it starts no more.
  if (io.pipe === null) throw new Error('log/run to start without the log pipe')
  return io.pipe
}

function recordReadiness (io: ServiceIo, pid: number, ready: boolean): void {
  try {
    writeReadiness(io.paths, pid, ready)
  } catch (err) {
    io.say.warn('unable to write supervise/ready', err)
  }
  io.readiness?.(pid, ready)
}
