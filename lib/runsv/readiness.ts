// s6's readiness notification for ./run: a file notification-fd holds a descriptor number N; the
// run gets fd N open for writing (a socket, as Node makes its stdio pipes) and the first newline
// written to it means "ready". runsv then records it (svdir/ready-file.ts). Fds 3 to N-1 stay
// closed, as for every program runsv starts.

import type { Readable } from 'node:stream'
import { notificationFd, MAX_NOTIFICATION_FD } from '../svdir/ready-file.js'
import type { SvPaths } from '../svdir/layout.js'
import type { Say } from '../errors/say.js'

/** N from the notification-fd file, or null without one (or with a bad one, said). */
export function readNotificationFd (p: Pick<SvPaths, 'notificationFd'>, say: Say): number | null {
  let fd: number | null
  try {
    fd = notificationFd(p)
  } catch (err) {
    say.warn('unable to read notification-fd', err)
    return null
  }
  if (fd === null || !Number.isNaN(fd)) return fd
  say.warn(`notification-fd: not a descriptor from 3 to ${MAX_NOTIFICATION_FD}`)
  return null
}

/** spawn()'s stdio entries after 0-2: closed up to N-1, a pipe at N. */
export function notificationStdio (fd: number): Array<'ignore' | 'pipe'> {
  return [...Array<'ignore'>(fd - 3).fill('ignore'), 'pipe']
}

/** Calls onReady at the first newline on the run's end of the pipe, then stops reading. */
export function onFirstNewline (stream: Readable, onReady: () => void): void {
  stream.on('data', (chunk: Buffer) => {
    if (!chunk.includes(10)) return
    stream.destroy()
    onReady()
  })
  stream.on('error', () => { /* the run closed it: not ready */ })
}
