// Absolute paths inside a service directory (or its log/), built from protocol/names only.

import { join, resolve } from 'node:path'
import * as N from '../protocol/names.js'

export interface SvPaths {
  /** the service directory, absolute */
  dir: string
  run: string
  finish: string
  down: string
  check: string
  log: string
  downSignal: string
  timeoutKill: string
  timeoutFinish: string
  killMode: string
  pidfile: string
  notificationFd: string
  restartBackoff: string
  respawnLimit: string
  normalExit: string
  maxDeathTally: string
  supervise: string
  control: string
  ok: string
  lock: string
  status: string
  stat: string
  pid: string
  ready: string
  reason: string
  deaths: string
  /** supervise/event/, the listeners' FIFOs */
  eventDir: string
  dependencies: string
  wait: string
  cgroup: string
  /** control/<letter> override script */
  hook: (letter: string) => string
  /** the write-then-rename temporary of a published file */
  tmp: (file: string) => string
}

export function servicePaths (dir: string, cwd = process.cwd()): SvPaths {
  const abs = resolve(cwd, dir)
  const sup = join(abs, N.SUPERVISE)
  return {
    dir: abs,
    run: join(abs, N.RUN),
    finish: join(abs, N.FINISH),
    down: join(abs, N.DOWN),
    check: join(abs, N.CHECK),
    log: join(abs, N.LOG),
    downSignal: join(abs, N.DOWN_SIGNAL),
    timeoutKill: join(abs, N.TIMEOUT_KILL),
    timeoutFinish: join(abs, N.TIMEOUT_FINISH),
    killMode: join(abs, N.KILL_MODE),
    pidfile: join(abs, N.PIDFILE),
    notificationFd: join(abs, N.NOTIFICATION_FD),
    restartBackoff: join(abs, N.RESTART_BACKOFF),
    respawnLimit: join(abs, N.RESPAWN_LIMIT),
    normalExit: join(abs, N.NORMAL_EXIT),
    maxDeathTally: join(abs, N.MAX_DEATH_TALLY),
    supervise: sup,
    control: join(sup, N.CONTROL),
    ok: join(sup, N.OK),
    lock: join(sup, N.LOCK),
    status: join(sup, N.STATUS),
    stat: join(sup, N.STAT),
    pid: join(sup, N.PID),
    ready: join(sup, N.READY),
    reason: join(sup, N.REASON),
    deaths: join(sup, N.DEATHS),
    eventDir: join(sup, N.EVENT_DIR),
    dependencies: join(abs, N.DEPENDENCIES),
    wait: join(sup, N.WAIT),
    cgroup: join(sup, N.CGROUP),
    hook: (letter) => join(abs, N.CONTROL_DIR, letter),
    tmp: (file) => file + N.NEW_SUFFIX
  }
}
