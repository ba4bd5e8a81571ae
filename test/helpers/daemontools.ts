// Where daemontools' binaries are, when present: $DAEMONTOOLS_BIN, else .cache/daemontools
// (fetched by .ci/run or `npm run fetch-runit`). Tests that compare with them skip with this
// reason when they are absent; under CI=true they fail instead, because CI always fetches them.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { ROOT, BIN } from './bin.js'
import { cleanEnv } from './clean-env.js'

export const DAEMONTOOLS_DIR = process.env.DAEMONTOOLS_BIN ?? join(ROOT, '.cache', 'daemontools', 'usr', 'bin')

export function daemontoolsBin (name: string): string | undefined {
  const p = join(DAEMONTOOLS_DIR, name)
  return existsSync(p) ? p : undefined
}

/** tap option: skip (or, in CI, fail) when daemontools' binaries are missing. */
export function needDaemontools (): { skip: string | false } {
  if (daemontoolsBin('tai64nlocal') !== undefined) return { skip: false }
  if (process.env.CI === 'true') throw new Error(`daemontools' binaries are missing from ${DAEMONTOOLS_DIR} (CI must fetch them)`)
  return { skip: `daemontools' binaries not found in ${DAEMONTOOLS_DIR}; run npm run fetch-runit` }
}

export interface Filtered { code: number | null, signal: NodeJS.Signals | null, stdout: Buffer, stderr: string }

/** Runs a filter (ours by name, or an executable's path) over `input`, bytes in and out. */
export function filter (exe: string, input: Buffer, env: NodeJS.ProcessEnv = {}): Promise<Filtered> {
  const path = exe.includes('/') ? exe : join(BIN, exe + '.js')
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { out.push(d) })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.once('error', reject)
    child.once('close', (code, signal) => { resolve({ code, signal, stdout: Buffer.concat(out), stderr }) })
    child.stdin.on('error', () => { /* it may exit before reading all */ })
    child.stdin.end(input)
  })
}
