// POSIX getopt for the C tools' option strings: bundling (-vw5), optarg, "--", stop at first operand.

import { UsageError } from '../errors/errors.js'

export interface Parsed {
  /** flag letter → count (no argument) or last argument given */
  opts: Map<string, string | number>
  rest: string[]
  /** every option in command-line order, for tools where a later option overrides part of an
   * earlier one (chpst -m then -d) or where repeating one is an error (chpst -l -l) */
  order: Array<{ letter: string, value?: string }>
}

export function getopt (argv: readonly string[], spec: string): Parsed {
  const opts = new Map<string, string | number>()
  const order: Parsed['order'] = []
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') { i++; break }
    if (arg.length < 2 || arg[0] !== '-') break
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!
      const at = spec.indexOf(letter)
      if (at < 0 || letter === ':') throw new UsageError(`illegal option -- ${letter}`)
      if (spec[at + 1] === ':') {
        let value = arg.slice(j + 1)
        if (value === '') {
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- ${letter}`)
          value = argv[++i]!
        }
        opts.set(letter, value)
        order.push({ letter, value })
        break
      }
      const seen = opts.get(letter)
      opts.set(letter, typeof seen === 'number' ? seen + 1 : 1)
      order.push({ letter })
    }
  }
  return { opts, rest: argv.slice(i), order }
}

/** runit's scan_ulong: the leading decimal digits, 0 when there are none. */
export function scanUlong (text: string): number {
  const digits = /^[0-9]*/.exec(text)?.[0] ?? ''
  return digits === '' ? 0 : Number(digits)
}
