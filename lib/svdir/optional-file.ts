// Optional files of a service directory (the stop policy, notification-fd, supervise/pid). Most
// services have none, and they are read at every stop or start: probed first (os/probe.ts).

import { readFileSync } from 'node:fs'
import { statIfExists } from '../os/probe.js'
import type { Say } from '../errors/say.js'

/** The file's text, or null when it does not exist; other errors are thrown. */
export function readOptional (path: string): string | null {
  if (statIfExists(path) === undefined) return null
  return readFileSync(path, 'utf8')
}

/** The file's text, or null when it does not exist or cannot be read (then said, naming `label`). */
export function readOptionalOrSay (path: string, label: string, say: Say): string | null {
  try {
    return readOptional(path)
  } catch (err) {
    say.warn(`unable to read ${label}`, err)
    return null
  }
}

/** A decimal number, spaces and newlines around it allowed; null for anything else. */
export function parseDecimal (text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null
}
