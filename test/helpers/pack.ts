// The package as a user gets it: `npm pack` of this checkout (build/ included), and npm run in a
// directory of the test's, with the user's npm cache (HOME) but nothing else of this environment.

import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './bin.js'
import { cleanEnv } from './clean-env.js'

export interface Run { code: number, stdout: string, stderr: string }

/** Runs a command to completion (two minutes at most); never rejects on a non-zero exit. */
export function run (file: string, args: string[], opts: { cwd: string, env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise(resolve => {
    const o = { cwd: opts.cwd, env: opts.env ?? npmEnv(), timeout: 120000, maxBuffer: 16 * 1024 * 1024 }
    execFile(file, args, o, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      resolve({ code, stdout, stderr: stderr + (err !== null && typeof err.code !== 'number' ? String(err) : '') })
    })
  })
}

/** A clean environment for npm: HOME (its cache and config), no npm_* of the running npm. */
export function npmEnv (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ HOME: process.env.HOME ?? '/root', ...extra })
}

/** `npm pack` into dir; resolves with the tarball's path. */
export async function pack (dir: string): Promise<string> {
  const r = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT })
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`)
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string }>
  return join(dir, info!.filename)
}
