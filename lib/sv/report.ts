// sv's stdout words, byte for byte as runit prints them: status lines ("run: svc: (pid N) Ms,
// normally down; run: log: …") and the "ok:/fail:/warning:/timeout:/kill:" message lines.

import { reason } from '../errors/reason.js'
import type { SvStatus } from '../protocol/status.js'
import { signalWord } from '../os/signals.js'
import type { DeathLine } from '../svdir/deaths-file.js'

export const PREFIX = {
  ok: 'ok: ',
  fail: 'fail: ',
  warning: 'warning: ',
  timeout: 'timeout: ',
  kill: 'kill: ',
  fatal: 'fatal: '
} as const

const STATE_WORD = { down: 'down: ', run: 'run: ', finish: 'finish: ' } as const

/**
 * One status record as sv prints it, without a newline:
 * "<state>: <name>: [(pid N) ]<age>s[, normally down|up][, paused][, want up|down][, got TERM]".
 * `normallyUp` is "no down file"; `nowSec` is sv's clock (unix seconds) for the age.
 */
export function statusLine (name: string, s: SvStatus, normallyUp: boolean, nowSec: number): string {
  // A state byte runit never writes prints no word, but runit still shows the pid for it.
  let line = (s.state === null ? '' : STATE_WORD[s.state]) + name + ': '
  if (s.state !== 'down') line += `(pid ${s.pid}) `
  line += `${Math.max(0, nowSec - s.when.sec)}s`
  for (const flag of statusFlags(s, normallyUp)) line += ', ' + flag
  return line
}

/** The words after the age in a status line, in runit's order ("normally down", "paused", …). */
export function statusFlags (s: SvStatus, normallyUp: boolean): string[] {
  const up = s.pid !== 0
  const flags: string[] = []
  if (up && !normallyUp) flags.push('normally down')
  if (!up && normallyUp) flags.push('normally up')
  if (up && s.paused) flags.push('paused')
  if (!up && s.want === 'up') flags.push('want up')
  if (up && s.want === 'down') flags.push('want down')
  if (up && s.gotTerm) flags.push('got TERM')
  return flags
}

const NEXT: Readonly<Record<string, string>> = {
  restart: 'restarted',
  'normal-exit': 'not restarted: normal exit',
  'respawn-limit': 'not restarted: respawn limit reached',
  'finish-125': 'not restarted: ./finish exited 125',
  down: 'not restarted: want down',
  exit: 'not restarted: want exit'
}

/** One line of sv runs (supervise/deaths), without a newline:
 * "<name>: <age>s ago, ran <lived>s, exit <code>|signal <NAME>, restarted|not restarted: <why>". */
export function deathLine (name: string, d: DeathLine, nowMs: number): string {
  const msOf = (t: DeathLine['ended']): number => t.sec * 1000 + t.nano / 1e6
  const age = Math.max(0, Math.floor((nowMs - msOf(d.ended)) / 1000))
  const lived = Math.max(0, msOf(d.ended) - msOf(d.started)) / 1000
  const how = d.signal === 0 ? `exit ${d.code}` : `signal ${signalWord(d.signal)}${d.core === true ? ' (core dumped)' : ''}`
  return `${name}: ${age}s ago, ran ${lived.toFixed(3)}s, ${how}, ${NEXT[d.next] ?? d.next}`
}

/** "<prefix><name>: <text>[: <reason>]\n", runit's out(); no reason when err is undefined. */
export function messageLine (prefix: string, name: string, text: string, err?: unknown): string {
  return `${prefix}${name}: ${text}${err === undefined ? '' : ': ' + reason(err)}\n`
}

/** stderr warnings about a service's own files: "warning: unable to <verb> <name>/<file>: <reason>\n". */
export function fileWarning (what: string, name: string, file: string, err: unknown): string {
  return `${PREFIX.warning}${what} ${name}/${file}: ${reason(err)}\n`
}
