// UDP datagrams to an IPv4 address (svlogd's u/U targets) through node:dgram. One socket per
// target for its whole life, where runit opens a socket per line (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2). Sends are
// asynchronous in Node, so failures are reported through a callback after the fact, and close()
// waits (briefly) for queued datagrams so the last lines before an exit are not dropped.

import { createSocket, type Socket } from 'node:dgram'
import { errnoError } from '../errors/errors.js'

export interface UdpSender {
  /** queues one datagram; onError is called if it could not be sent */
  send (datagram: Buffer, onError: (err: Error) => void): void
  /** closes the socket once queued datagrams are out (at most `graceMs` later) */
  close (graceMs?: number): Promise<void>
}

export function openUdpSender (address: string, port: number): UdpSender {
  let socket: Socket | null = createSocket('udp4')
  // Errors come back through send's callback; a socket-level 'error' must not crash the logger.
  socket.on('error', () => { /* reported per datagram */ })
  socket.unref()
  let pending = 0
  let drained: (() => void) | null = null
  const done = (): void => {
    pending--
    if (pending === 0 && drained !== null) drained()
  }
  return {
    send (datagram, onError) {
      if (socket === null) {
        onError(errnoError('EBADF', 'socket closed'))
        return
      }
      pending++
      try {
        socket.send(datagram, port, address, (err) => {
          done()
          if (err !== null && err !== undefined) onError(err)
        })
      } catch (err) {
        done()
        onError(err as Error)
      }
    },
    async close (graceMs = 1000) {
      if (socket === null) return
      const s = socket
      socket = null
      if (pending > 0) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, graceMs)
          drained = () => { clearTimeout(timer); resolve() }
        })
      }
      try { s.close() } catch { /* already closed */ }
    }
  }
}
