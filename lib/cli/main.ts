// Entry plumbing shared by every program: argv/env/stdio in, exit code out.

import { basename, dirname, delimiter } from 'node:path'
import { readFileSync, writeSync } from 'node:fs'
import { UsageError, SysError, errnoCode } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { restoreHeldEnv } from '../os/node-start.js'
import { showAs } from '../os/title.js'

/** Internal error, please report (s6's habit). */
export const EXIT_INTERNAL = 101

export interface Io {
  /** arguments after the program name */
  argv: string[]
  /** argv[0] as the user typed it (runit prints it verbatim in usage lines) */
  argv0: string
  /** basename of argv0, for personalities (sv's LSB mode, chpst's envdir…) */
  invokedAs: string
  env: NodeJS.ProcessEnv
  cwd: string
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** writes bytes to stdout unchanged; false once the reader has gone (EPIPE) */
  stdoutBytes?: (bytes: Uint8Array) => boolean
  /** makes ps show this process as runit's `name` run with argv (comm and command line) */
  showAs: (name: string) => void
}

export interface Program {
  name: string
  /** usage line without the "usage: " prefix; may use {argv0} */
  usage: (io: Io) => string
  exit: { usage: number, fatal: number }
  /**
   * Shown under its own name from the start, as runit's would be (comm `name`, command line
   * `name args…`), for pidof, pgrep -x and ps. sv leaves Node's: it is short-lived and its
   * start-up must stay lean. chpst shows itself only while it relays (its main calls io.showAs).
   */
  showAtStart?: boolean
  /** "<name>[ <context>]" prefix for fatal lines raised as SysError */
  who?: (io: Io) => string
  main: (io: Io) => Promise<number>
}

/** The `$Id$` line of -V: runit prints its source id; we print the package's version. */
export function versionLine (prog: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return `$Id: runit-ts ${prog} ${pkg.version ?? 'unknown'} $`
  } catch {
    return `$Id: runit-ts ${prog} $`
  }
}

function currentDir (): string {
  try {
    return process.cwd()
  } catch {
    // The working directory was removed; absolute names still work (runit's sv does the same).
    return '/'
  }
}

/**
 * Writes straight to the descriptor, as runit's tools do (unbuffered, in order, nothing pending at
 * exit), without creating process.stdout: that stream alone costs sv a few ms of start-up.
 * A descriptor in non-blocking mode (EAGAIN) falls back to the stream, which queues.
 */
function writeAll (fd: 1 | 2, text: string | Uint8Array): boolean {
  let buf = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.byteLength)
  while (buf.length > 0) {
    let n: number
    try {
      n = writeSync(fd, buf)
    } catch (err) {
      const code = errnoCode(err)
      if (code === 'EAGAIN') (fd === 1 ? process.stdout : process.stderr).write(buf)
      else if (code !== 'EPIPE') throw err
      return code !== 'EPIPE'
    }
    buf = buf.subarray(n)
  }
  return true
}

export function processIo (): Io {
  // Node loses the name the user typed; argv[1] is the shim's path as the kernel was given it.
  // Found through PATH, the user typed the bare name, which is what runit prints.
  // The shims are bin/<name>.js; installed, npm links them as plain <name>.
  const script = (process.argv[1] ?? 'unknown').replace(/\.js$/, '')
  const inPath = (process.env.PATH ?? '').split(delimiter).includes(dirname(script))
  const argv0 = inPath ? basename(script) : script
  const argv = process.argv.slice(2)
  return {
    argv,
    argv0,
    invokedAs: basename(argv0),
    env: process.env,
    cwd: currentDir(),
    stdout: (t) => { writeAll(1, t) },
    stderr: (t) => { writeAll(2, t) },
    stdoutBytes: (b) => writeAll(1, b),
    showAs: (name) => { showAs(name, argv) }
  }
}

/** Runs a program against an Io and returns its exit code; never throws. */
export async function runMain (prog: Program, io: Io): Promise<number> {
  try {
    return await prog.main(io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`usage: ${prog.usage(io)}\n\n`)
      return prog.exit.usage
    }
    if (err instanceof SysError) {
      makeSay(prog.who?.(io) ?? prog.name, io.stderr).fatal(err.what, err.cause)
      return prog.exit.fatal
    }
    io.stderr(`${prog.name}: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}: please report\n`)
    return EXIT_INTERNAL
  }
}

/** What bin/* calls: run the program on this process and set its exit status. */
export function runProgram (prog: Program): void {
  restoreHeldEnv()
  const io = processIo()
  if (prog.showAtStart === true) io.showAs(prog.name)
  runMain(prog, io).then(code => { process.exitCode = code }, () => { process.exitCode = EXIT_INTERNAL })
}
