// Templates and instances (runsv(8), INSTANCES; s6-instance-create's idea on runit's files): a
// template is a service directory whose name ends in @; an instance NAME@VALUE beside it is a
// directory of relative symlinks to the template's files (run, finish, check, the policy files,
// log/'s files) with a supervise/ of its own, so runit's own runsv and sv work on it unchanged.
// ./run gets $INSTANCE from our runsv, and can always take it from its directory's name.

import { readdirSync, mkdirSync, symlinkSync, rmSync, lstatSync, readlinkSync, existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as N from '../protocol/names.js'

export const TEMPLATE_MARK = '@'

export function isTemplateName (name: string): boolean {
  return name.length > 1 && name.endsWith(TEMPLATE_MARK)
}

/** VALUE of a directory named NAME@VALUE, or null (not an instance; a template has none). */
export function instanceValue (dir: string): string | null {
  const base = basename(dir)
  const at = base.indexOf(TEMPLATE_MARK)
  return at <= 0 || at === base.length - 1 ? null : base.slice(at + 1)
}

/** The environment ./run and log/run get in an instance ($INSTANCE), or undefined elsewhere. */
export function instanceEnv (dir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  const value = instanceValue(dir)
  return value === null ? undefined : { ...env, INSTANCE: value }
}

/** A value usable in a directory name: no slash, not empty, not . or .., no newline. */
export function validValue (value: string): boolean {
  return value !== '' && value !== '.' && value !== '..' && !/[/\n\0]/.test(value)
}

/** Entries of a template that are the instance's own, never linked. */
const OWN = new Set([N.SUPERVISE, N.LOG])

/** Makes the instance directory of `template` (a path ending in @) for `value`, beside it; returns
 * its path. An existing instance is left as it is (returned). Throws the fs error. */
export function createInstance (template: string, value: string): string {
  const dir = template + value
  if (existsSync(dir)) return dir
  const name = basename(template)
  mkdirSync(dir)
  try {
    for (const e of readdirSync(template)) {
      if (!OWN.has(e)) symlinkSync(join('..', name, e), join(dir, e))
    }
    const log = join(template, N.LOG)
    if (existsSync(log)) {
      mkdirSync(join(dir, N.LOG))
      for (const e of readdirSync(log)) {
        if (e !== N.SUPERVISE) symlinkSync(join('..', '..', name, N.LOG, e), join(dir, N.LOG, e))
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return dir
}

/** Whether `dir` is an instance made by createInstance: its run links into its template. */
export function isInstanceDir (dir: string): boolean {
  const value = instanceValue(dir)
  if (value === null) return false
  const template = basename(dir).slice(0, -value.length)
  try {
    return lstatSync(join(dir, N.RUN)).isSymbolicLink() && readlinkSync(join(dir, N.RUN)) === join('..', template, N.RUN)
  } catch {
    return false
  }
}

/** The instances beside `template`, by value, sorted. */
export function listInstances (template: string): string[] {
  const name = basename(template)
  return readdirSync(dirname(template))
    .filter(e => e.startsWith(name) && e.length > name.length && isInstanceDir(join(dirname(template), e)))
    .map(e => e.slice(name.length))
    .sort()
}

/** Removes an instance directory (only one createInstance made). */
export function removeInstance (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
