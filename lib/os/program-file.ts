// What execve(2) would do with a file, found out without running it: whether it would fail and
// why, the interpreter a "#!" line names, and runit's PATH search. No child processes here, so
// sv can load it for ./check.

import { accessSync, closeSync, constants, openSync, readSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { errnoCode } from '../errors/errors.js'
/** The first bytes of a file, as many as the kernel reads to choose how to run it. */
function head (path: string): Buffer {
  const buf = Buffer.alloc(256) // the kernel's BINPRM_BUF_SIZE
  const fd = openSync(path, 'r')
  try { return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)) } finally { closeSync(fd) }
}

export interface Shebang {
  interp: string
  /** the rest of the line, one argument, as the kernel passes it */
  arg?: string
}

/** The "#!interpreter [arg]" line the kernel would follow; '' when it names no interpreter. */
function parseShebang (bytes: Buffer): Shebang | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined
  const line = (bytes.subarray(2).toString('latin1').split('\n')[0] ?? '').trim()
  const at = line.search(/[ \t]/)
  if (at < 0) return { interp: line }
  const arg = line.slice(at).trim()
  return arg === '' ? { interp: line.slice(0, at) } : { interp: line.slice(0, at), arg }
}

/** Why execve(2) of `path` would fail (an errno code), or undefined when it would succeed. */
export function execError (path: string, root = '/', depth = 0): string | undefined {
  let st
  try {
    st = statSync(path)
  } catch (err) {
    return errnoCode(err) ?? 'ENOENT'
  }
  if (!st.isFile()) return 'EACCES' // execve(2) says EACCES for directories and devices too
  try {
    accessSync(path, constants.X_OK)
  } catch (err) {
    return errnoCode(err) ?? 'EACCES'
  }
  let bytes
  try {
    bytes = head(path)
  } catch {
    return undefined // executable but unreadable (mode 0711): the kernel still runs ELF files
  }
  if (bytes.length >= 4 && bytes.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return undefined
  const script = parseShebang(bytes)
  if (script !== undefined) {
    // The kernel execs the interpreter; a missing one is ENOENT.
    if (script.interp === '') return 'ENOEXEC'
    if (depth >= 4) return 'ELOOP'
    const hostInterp = isAbsolute(script.interp) ? join(root, script.interp) : script.interp
    return execError(hostInterp, root, depth + 1)
  }
  return binfmtMisc() ? undefined : 'ENOEXEC'
}

export interface Invocation { file: string, args: string[], argv0: string }

/**
 * What to spawn for the process execve(name, argv) would make, `name` relative to the working
 * directory. Node's spawn searches PATH for a name without '/', and "./name" would change a
 * script's $0 (the kernel gives a script the path execve got), so a script's interpreter is run
 * on it as the kernel would: runit's sv runs execve("check", ["./check"]), whose $0 is "check".
 */
export function invocation (name: string, argv: string[], cwd: string): Invocation {
  const path = name.includes('/') ? name : `./${name}`
  let script
  try { script = parseShebang(head(join(cwd, name))) } catch { /* the exec reports it */ }
  if (script === undefined || script.interp === '' || execError(join(cwd, name)) !== undefined) {
    return { file: path, args: argv.slice(1), argv0: argv[0] ?? path }
  }
  const interp = script.interp
  return {
    file: interp.includes('/') ? interp : `./${interp}`,
    args: [...(script.arg === undefined ? [] : [script.arg]), name, ...argv.slice(1)],
    argv0: interp
  }
}

/** True when binfmt_misc has formats registered (then unknown headers may still run). */
function binfmtMisc (): boolean {
  try {
    if (readFileSync('/proc/sys/fs/binfmt_misc/status', 'utf8').trim() !== 'enabled') return false
    return readdirSync('/proc/sys/fs/binfmt_misc').some(n => n !== 'status' && n !== 'register')
  } catch {
    return false
  }
}

export type Found = { ok: true, path: string } | { ok: false, code: string }

/** Errors after which runit's pathexec keeps searching PATH. */
const KEEP_SEARCHING = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR'])

/**
 * runit's program search (pathexec_run): a name with '/' is used as is; otherwise each element
 * of `searchPath` (default "/bin:/usr/bin"; empty = ".") is tried in order. The search skips
 * entries failing with ENOENT, EACCES, EPERM or EISDIR and stops at any other error; the error
 * reported is the last one that was not ENOENT. `root` is where "/" is for the program (chpst -/);
 * the path returned is the one to exec there.
 */
export function findProgram (name: string, searchPath: string | undefined, root = '/'): Found {
  const host = (p: string): string => isAbsolute(p) ? join(root, p) : p
  if (name.includes('/')) {
    const code = execError(host(name), root)
    return code === undefined ? { ok: true, path: name } : { ok: false, code }
  }
  let last = 'ENOENT'
  for (const dir of (searchPath ?? '/bin:/usr/bin').split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${name}`
    const code = execError(host(candidate), root)
    if (code === undefined) return { ok: true, path: candidate }
    if (code !== 'ENOENT') last = code
    if (!KEEP_SEARCHING.has(code)) break
  }
  return { ok: false, code: last }
}

const TOOL_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/** A helper program (prlimit, setsid, chroot, flock, sh…) from our PATH, then the usual places. */
export function findTool (name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...searchPath.split(delimiter).filter(d => isAbsolute(d)), ...TOOL_DIRS]
  return dirs.map(d => join(d, name)).find(p => execError(p) === undefined)
}
