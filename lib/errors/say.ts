// runit's diagnostic grammar: "<prog>[ <dir>]: <level>: <msg>[: <reason>]\n" on stderr (sv's:
// "<level>: <msg>[: <reason>]\n", without its name).

import { reason } from './reason.js'

export type Level = 'fatal' | 'warning' | 'pausing' | 'info'

export interface Say {
  fatal (msg: string, err?: unknown): void
  warn (msg: string, err?: unknown): void
  info (msg: string): void
  /** the formatted line, without printing it */
  line (level: Level, msg: string, err?: unknown): string
}

/** Builds the message writer of one program; `who` is e.g. "runsv /srv/x" or "svlogd", or ''
 * for none (sv). */
export function makeSay (who: string, write: (text: string) => void): Say {
  const head = who === '' ? '' : `${who}: `
  const line = (level: Level, msg: string, err?: unknown): string =>
    `${head}${level}: ${msg}${err === undefined ? '' : ': ' + reason(err)}\n`
  return {
    line,
    fatal: (msg, err) => write(line('fatal', msg, err)),
    warn: (msg, err) => write(line('warning', msg, err)),
    info: (msg) => write(line('info', msg))
  }
}
