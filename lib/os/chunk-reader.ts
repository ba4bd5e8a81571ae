// Reads a descriptor (svlogd's standard input) in large chunks without blocking the event loop,
// whatever it is: pipes and sockets through libuv's poller (net.Socket on the fd, which also puts
// the fd in non-blocking mode, as runit's svlogd does), terminals through tty.ReadStream, regular
// files and other devices through fs.read. stop() ends delivery and returns what can still be
// read at once without waiting (a pipe's buffered bytes, the rest of a file up to a cap), so a
// caller told to exit can keep what was already written to it.

import { fstatSync, read, readSync } from 'node:fs'
import { Socket } from 'node:net'
import { ReadStream as TtyReadStream, isatty } from 'node:tty'

export interface ChunkHandlers {
  data: (chunk: Buffer) => void
  /** end of input: null at EOF, else the read error; called at most once */
  end: (err: Error | null) => void
}

export interface Drained {
  chunks: Buffer[]
  /** the input reached EOF */
  eof: boolean
}

export interface ChunkReader {
  pause: () => void
  resume: () => void
  /** stops delivery; returns the bytes readable right now (at most maxBytes more) */
  stop: (maxBytes: number) => Promise<Drained>
}

/** Reads `fd` and hands over chunks of up to `chunkSize` bytes (pipes give what they hold). */
export function readChunks (fd: number, chunkSize: number, h: ChunkHandlers): ChunkReader {
  let kind: 'stream' | 'tty' | 'file' | 'device' = 'device'
  try {
    const st = fstatSync(fd)
    if (st.isFIFO() || st.isSocket()) kind = 'stream'
    else if (isatty(fd)) kind = 'tty'
    else if (st.isFile()) kind = 'file'
  } catch { /* leave it to the first read to report */ }
  return kind === 'stream' || kind === 'tty' ? streamReader(fd, kind, chunkSize, h) : fileReader(fd, kind === 'file', chunkSize, h)
}

/** Reads what `fd` yields without waiting, up to `budget` bytes, into `chunks`; true at EOF.
 * A read error (EAGAIN: a non-blocking pipe is empty) ends it. */
function drainSync (fd: number, chunkSize: number, budget: number, chunks: Buffer[]): boolean {
  let got = 0
  while (got < budget) {
    const buf = Buffer.allocUnsafe(Math.min(chunkSize, budget - got))
    let n: number
    try {
      n = readSync(fd, buf, 0, buf.length, null)
    } catch {
      return false
    }
    if (n === 0) return true
    chunks.push(buf.subarray(0, n))
    got += n
  }
  return false
}

function once (h: ChunkHandlers): (err: Error | null) => void {
  let ended = false
  return (err) => {
    if (ended) return
    ended = true
    h.end(err)
  }
}

function streamReader (fd: number, kind: 'stream' | 'tty', chunkSize: number, h: ChunkHandlers): ChunkReader {
  const end = once(h)
  let eof = false
  const sock = kind === 'tty' ? new TtyReadStream(fd) : new Socket({ fd, readable: true, writable: false })
  const onData = (b: Buffer): void => { h.data(b) }
  sock.on('data', onData)
  sock.on('end', () => { eof = true; end(null) })
  sock.on('error', (err) => { end(err) })
  return {
    pause: () => { sock.pause() },
    resume: () => { sock.resume() },
    async stop (maxBytes) {
      sock.off('data', onData)
      sock.pause()
      const chunks: Buffer[] = []
      let got = 0
      // Chunks libuv already read into the stream's buffer come first…
      for (let b = sock.read() as Buffer | null; b !== null; b = sock.read() as Buffer | null) {
        chunks.push(b)
        got += b.length
      }
      // …then what the pipe still holds. The fd is non-blocking (libuv set it so): EAGAIN = empty.
      // A terminal is left alone: libuv may read it through another descriptor.
      if (kind === 'stream' && !eof) eof = drainSync(fd, chunkSize, maxBytes - got, chunks)
      sock.destroy()
      return { chunks, eof }
    }
  }
}

function fileReader (fd: number, regular: boolean, chunkSize: number, h: ChunkHandlers): ChunkReader {
  const end = once(h)
  let paused = false
  let stopped = false
  let eof = false
  let inflight: Promise<void> | null = null
  const late: Buffer[] = []
  const next = (): void => {
    if (paused || stopped || eof || inflight !== null) return
    const buf = Buffer.allocUnsafe(chunkSize)
    inflight = new Promise(resolve => {
      read(fd, buf, 0, chunkSize, null, (err, n) => {
        inflight = null
        resolve()
        if (err !== null) { eof = true; if (!stopped) end(err); return }
        if (n === 0) { eof = true; if (!stopped) end(null); return }
        if (stopped) { late.push(buf.subarray(0, n)); return }
        h.data(buf.subarray(0, n))
        next()
      })
    })
  }
  setImmediate(next)
  return {
    pause: () => { paused = true },
    resume: () => { paused = false; next() },
    async stop (maxBytes) {
      stopped = true
      // A regular file never blocks: let the read in progress land, then read on up to the cap.
      // Another device (a tty opened elsewhere, a serial line) might: give up on it.
      if (!regular) return { chunks: [], eof }
      if (inflight !== null) await inflight
      const chunks = late.splice(0)
      const got = chunks.reduce((n, b) => n + b.length, 0)
      if (!eof) eof = drainSync(fd, chunkSize, maxBytes - got, chunks)
      return { chunks, eof }
    }
  }
}
