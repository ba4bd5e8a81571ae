// svlogd: log standard input to one or more log directories (svlogd(8)).

import { UsageError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { getopt, scanUlong } from './getopt.js'
import { Svlogd, type SignalName } from '../svlogd/svlogd.js'
import type { LogStampStyle } from '../protocol/tai64.js'
import { versionLine, type Program, type Io } from './main.js'

const EXIT = { ok: 0, usage: 111, fatal: 111 } as const // svlogd(8): 111 for usage and fatal errors

export const USAGE = 'svlogd [-ttv] [-r c] [-R abc] [-l len] [-b buflen] dir ...'

const DEFAULT_LINE_MAX = 1000
const DEFAULT_BUF_LEN = 1024

const SIGNALS: ReadonlyArray<[NodeJS.Signals, SignalName]> = [['SIGTERM', 'term'], ['SIGHUP', 'hup'], ['SIGALRM', 'alrm']]



function parse (io: Io): ConstructorParameters<typeof Svlogd>[0] | null {
  let parsed
  try {
    parsed = getopt(io.argv, 'R:r:l:b:tvV')
  } catch (err) {
    // runit's getopt names the problem before the usage line.
    if (err instanceof UsageError) io.stderr(`svlogd: ${err.message}\n`)
    throw err
  }
  const { opts, rest } = parsed
  if (opts.has('V')) {
    io.stderr(versionLine('svlogd') + '\n')
    throw new UsageError()
  }
  let replace: { with: number, extra: Uint8Array } | null = null
  const R = opts.get('R')
  const r = opts.get('r')
  if (typeof r === 'string') {
    const b = Buffer.from(r)
    if (b.length !== 1) throw new UsageError()
    replace = { with: b[0]!, extra: Buffer.alloc(0) }
  }
  if (typeof R === 'string') replace = { with: replace?.with ?? 0x5f, extra: Buffer.from(R) } // '_' unless -r
  const l = opts.get('l')
  const b = opts.get('b')
  const lineMax = typeof l === 'string' ? scanUlong(l) || DEFAULT_LINE_MAX : DEFAULT_LINE_MAX
  const bufLen = typeof b === 'string' ? scanUlong(b) || DEFAULT_BUF_LEN : DEFAULT_BUF_LEN
  const t = opts.get('t')
  const ts = typeof t === 'number' ? Math.min(t, 3) : 0
  const stamp: LogStampStyle | null = ts === 0 ? null : ts === 1 ? 't' : ts === 2 ? 'tt' : 'ttt'
  if (rest.length === 0) throw new UsageError()
  if (bufLen <= lineMax) throw new UsageError()
  const say = makeSay('svlogd', io.stderr)
  return {
    dirs: rest,
    cwd: io.cwd,
    stamp,
    lineMax,
    bufLen,
    replace,
    verbose: opts.has('v'),
    input: 0,
    report: { warn: say.warn, info: say.info, pausing: (msg, err) => { io.stderr(say.line('pausing', msg, err)) } },
    echo: (bytes) => { process.stderr.write(bytes) }
  }
}

export const svlogd: Program = {
  name: 'svlogd',
  usage: io => `${io.argv0} [-ttv] [-r c] [-R abc] [-l len] [-b buflen] dir ...`,
  exit: EXIT,
  showAtStart: true,
  async main (io) {
    const options = parse(io)
    if (options === null) return EXIT.usage
    const logger = new Svlogd(options)
    let done = false
    // Left installed after the end: removing the last listener restores the default action,
    // and a signal sent just before exit would then kill svlogd instead of being ignored.
    for (const [sig, name] of SIGNALS) process.on(sig, () => { if (!done) logger.signal(name) })
    try {
      await logger.run()
    } finally {
      done = true
    }
    return EXIT.ok
  }
}
