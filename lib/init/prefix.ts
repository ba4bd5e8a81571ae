// Container mode: a service without log/ writes into a pipe of ours, and each of its lines goes
// to the container's stdout or stderr prefixed with the service's name, as docker logs shows it.

import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readChunks } from '../os/chunk-reader.js'
import { makePipe } from '../os/pipe.js'

/** A line longer than this is cut and passed on in pieces, so a service cannot grow our memory. */
export const MAX_LINE = 64 * 1024

/** Reads `fd` to EOF and writes each line to `write` as "<name>: <line>\n". */
export function prefixLines (fd: number, name: string, write: (text: string) => void): void {
  let partial = Buffer.alloc(0)
  const emit = (line: Buffer): void => { write(`${name}: ${line.toString('utf8')}\n`) }
  readChunks(fd, MAX_LINE, {
    data: chunk => {
      let buf = partial.length === 0 ? chunk : Buffer.concat([partial, chunk])
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        emit(buf.subarray(0, nl))
        buf = buf.subarray(nl + 1)
      }
      while (buf.length >= MAX_LINE) {
        emit(buf.subarray(0, MAX_LINE))
        buf = buf.subarray(MAX_LINE)
      }
      partial = Buffer.from(buf)
    },
    end: () => { if (partial.length > 0) emit(partial) }
  })
}

/** The write ends of two prefixing pipes, for a service's stdout and stderr. */
export function prefixedStdio (
  name: string, out: (text: string) => void, err: (text: string) => void
): { out: number, err: number } {
  const base = join(tmpdir(), `runit-ts.${process.pid}.${name.replace(/\//g, '_')}`)
  const o = makePipe(`${base}.out`)
  const e = makePipe(`${base}.err`)
  prefixLines(o.readFd, name, out)
  prefixLines(e.readFd, name, err)
  return { out: o.writeFd, err: e.writeFd }
}
