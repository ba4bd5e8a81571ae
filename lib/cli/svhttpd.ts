// svhttpd: the services of $SVDIR over HTTP (svhttpd(8)): a status page, Prometheus metrics, and
// up/down/restart buttons behind a token. Runs until TERM, INT or HUP.

import { readFileSync } from 'node:fs'
import { getopt, scanUlong } from './getopt.js'
import { UsageError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { DEFAULT_SVDIR, DEFAULT_WAIT } from '../sv/defaults.js'
import { versionLine, type Program } from './main.js'

const EXIT = { ok: 0, usage: 100, fatal: 111 } as const // svhttpd(8)

export const USAGE = 'svhttpd [-a address] [-p port] [-t tokenfile] [-n lines] [-r sec] [-w sec]'

export const DEFAULT_ADDRESS = '127.0.0.1'
export const DEFAULT_PORT = 8420
const DEFAULT_LOG_LINES = 10
const DEFAULT_REFRESH = 5

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

/** 127.0.0.0/8, ::1 and localhost: the Host header check is on (svhttpd(8), SECURITY). */
const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1' || a === 'localhost'

export const svhttpd: Program = {
  name: 'svhttpd',
  usage: () => USAGE,
  exit: EXIT,
  showAtStart: true,
  async main (io) {
    const { opts, rest } = getopt(io.argv, 'a:p:t:n:r:w:V')
    if (opts.has('V')) {
      io.stderr(versionLine('svhttpd') + '\n')
      throw new UsageError()
    }
    if (rest.length > 0) throw new UsageError()
    const num = (k: string, dflt: number): number => { const v = opts.get(k); return typeof v === 'string' ? scanUlong(v) : dflt }
    const address = (opts.get('a') as string | undefined) ?? DEFAULT_ADDRESS
    const port = num('p', DEFAULT_PORT)
    if (port > 65535) throw new UsageError(`bad port: ${port}`)
    const say = makeSay('svhttpd', io.stderr)
    const tokenFile = opts.get('t') as string | undefined
    let token: string | null = null
    if (tokenFile !== undefined) {
      try {
        token = readFileSync(tokenFile, 'utf8').split('\n')[0]!.trim()
      } catch (err) {
        say.fatal(`unable to read ${tokenFile}`, err)
        return EXIT.fatal
      }
      if (token.length < 16) {
        say.fatal(`token in ${tokenFile} too short (16 characters at least)`)
        return EXIT.fatal
      }
    }
    const { SvHttpd } = await import('../svhttpd/server.js')
    const server = new SvHttpd({
      svdir: io.env.SVDIR ?? DEFAULT_SVDIR,
      cwd: io.cwd,
      env: io.env,
      token,
      logLines: num('n', DEFAULT_LOG_LINES),
      refreshSec: Math.max(1, num('r', DEFAULT_REFRESH)),
      waitSec: num('w', io.env.SVWAIT === undefined ? DEFAULT_WAIT : scanUlong(io.env.SVWAIT)),
      loopback: isLoopback(address)
    })
    let stop: () => void = () => {}
    const stopped = new Promise<void>(resolve => { stop = resolve })
    for (const sig of STOP_SIGNALS) process.on(sig, stop)
    let bound
    try {
      bound = await server.listen(address, port)
    } catch (err) {
      say.fatal(`unable to listen on ${address} port ${port}`, err)
      return EXIT.fatal
    }
    const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
    say.info(`listening on http://${host}:${bound.port}/${token === null ? ' (read-only)' : ''}`)
    await stopped
    await server.close()
    return EXIT.ok
  }
}
