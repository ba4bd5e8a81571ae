// Reads an envdir (chpst -e, envdir) into a list of environment changes, with runit's rules for
// file contents, and applies such changes to an environment object.

import { accessSync, constants, opendirSync, readFileSync, statSync, type Dir } from 'node:fs'
import { SysError, errnoCode, errnoError } from '../errors/errors.js'

/** value undefined = unset the variable */
export interface EnvChange { name: string, value: string | undefined }

export interface EnvdirResult {
  changes: EnvChange[]
  /** subdirectories skipped in -e mode, as "<dir>/<name>" (chpst -v warns about them) */
  skipped: string[]
}

/** The value a file's bytes give: first line, trailing blanks removed, NULs become newlines. */
export function envValue (content: Buffer): string | undefined {
  if (content.length === 0) return undefined
  const nl = content.indexOf(0x0a)
  const line = (nl < 0 ? content : content.subarray(0, nl)).toString('latin1')
  return Buffer.from(line.replace(/[ \t]+$/, '').replaceAll('\0', '\n'), 'latin1').toString()
}

function openDir (dir: string): Dir {
  // runit chdir()s into the directory first, then opens "."; keep its two error messages apart.
  try {
    if (!statSync(dir).isDirectory()) throw errnoError('ENOTDIR', 'not a directory')
    accessSync(dir, constants.X_OK)
  } catch (err) {
    throw new SysError(`unable to switch to directory: ${dir}`, err)
  }
  try {
    return opendirSync(dir)
  } catch (err) {
    throw new SysError(`unable to open directory: ${dir}`, err)
  }
}

/**
 * Reads `dir` in directory order (not sorted, like readdir(3)). Names starting with '.' are
 * ignored. A subdirectory is skipped when `subdirs` is 'skip' (chpst -e), fatal otherwise (envdir).
 * A name that vanished (or a dangling symlink) unsets the variable; runit reuses the previous
 * file's value there, a bug not kept.
 */
export function readEnvdir (dir: string, subdirs: 'skip' | 'fatal'): EnvdirResult {
  const changes: EnvChange[] = []
  const skipped: string[] = []
  const d = openDir(dir)
  try {
    for (;;) {
      let entry
      try {
        entry = d.readSync()
      } catch (err) {
        throw new SysError('unable to read directory', err)
      }
      if (entry === null) break
      if (entry.name.startsWith('.')) continue
      const path = `${dir}/${entry.name}`
      let content: Buffer
      try {
        content = readFileSync(path)
      } catch (err) {
        const code = errnoCode(err)
        if (code === 'ENOENT') { changes.push({ name: entry.name, value: undefined }); continue }
        if (code === 'EISDIR' && subdirs === 'skip') { skipped.push(path); continue }
        throw new SysError(`unable to read ${path}`, err)
      }
      changes.push({ name: entry.name, value: envValue(content) })
    }
  } finally {
    d.closeSync()
  }
  return { changes, skipped }
}

/**
 * Applies changes in order to a copy of env. As in runit, the variable is the text up to the
 * first '=' of "name=value", so a file "EQ=X" holding "v" sets EQ to "X=v".
 */
export function applyEnv (env: NodeJS.ProcessEnv, changes: readonly EnvChange[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env }
  for (const { name, value } of changes) {
    const full = value === undefined ? name : `${name}=${value}`
    const eq = full.indexOf('=')
    if (value === undefined) {
      delete out[eq < 0 ? full : full.slice(0, eq)]
    } else {
      out[full.slice(0, eq)] = full.slice(eq + 1)
    }
  }
  return out
}
