// tai64nlocal: standard input to standard output, a leading TAI64N label of each line shown as
// local time (daemontools' program, tai64nlocal(8)). Each chunk read is written at once, so it
// works at the end of a pipe from `tail -f`.

import { makeSay } from '../errors/say.js'
import { readChunks } from '../os/chunk-reader.js'
import { Tai64nLocal } from '../protocol/tai64-local.js'
import type { Program } from './main.js'

const EXIT = { ok: 0, usage: 100, fatal: 111 } as const // tai64nlocal(8): daemontools' 111

/** daemontools' tai64nlocal takes no options and ignores its arguments. */
export const USAGE = 'tai64nlocal'

const CHUNK = 64 * 1024

export const tai64nlocal: Program = {
  name: 'tai64nlocal',
  usage: () => USAGE,
  exit: EXIT,
  async main (io) {
    const say = makeSay('tai64nlocal', io.stderr)
    const write = io.stdoutBytes ?? ((b: Uint8Array) => { io.stdout(Buffer.from(b).toString('latin1')); return true })
    const filter = new Tai64nLocal()
    return await new Promise<number>(resolve => {
      const reader = readChunks(0, CHUNK, {
        data: chunk => {
          const out = filter.push(chunk)
          if (out.length > 0 && !write(out)) { // the reader of our output has gone
            void reader.stop(0)
            resolve(EXIT.fatal)
          }
        },
        end: err => {
          if (err !== null) {
            say.fatal('unable to read input', err)
            resolve(EXIT.fatal)
            return
          }
          write(filter.end())
          resolve(EXIT.ok)
        }
      })
    })
  }
}
