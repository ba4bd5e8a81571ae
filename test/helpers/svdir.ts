// Builds a service directory in the test's own directory.

import { mkdirSync, writeFileSync, chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readStatus } from '../../build/svdir/status-file.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { formatStat } from '../../build/protocol/stat.js'

interface Tap { testdir: (fixture?: unknown) => string, teardown?: (fn: () => unknown) => void }

export interface ServiceSpec {
  /** body of ./run (a /bin/sh script; "#!/bin/sh" is added) */
  run?: string
  finish?: string
  check?: string
  /** body of log/run; creates log/ */
  log?: string
  down?: boolean
  logDown?: boolean
  /** control/<letter> scripts */
  hooks?: Record<string, string>
  /** name of the service directory inside the test dir */
  name?: string
}

/** s as one /bin/sh word (a clone's path may hold spaces). */
export function shq (s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`
}

export function script (path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
}

export function service (t: Tap, spec: ServiceSpec): string {
  // tap runs the wrapper installed first innermost: registering a teardown before the first
  // testdir() makes every teardown (reaping runsv and the services named in supervise/pid) run
  // before the directory is removed, not after (which orphaned services and raced runsv's writes).
  t.teardown?.(() => {})
  return serviceIn(t.testdir(), spec)
}

/** Like service(), inside `base`: for several services in one test (t.testdir() empties the dir on every call). */
export function serviceIn (base: string, spec: ServiceSpec): string {
  const dir = join(base, spec.name ?? 'svc')
  mkdirSync(dir, { recursive: true })
  if (spec.run !== undefined) script(join(dir, 'run'), spec.run)
  if (spec.finish !== undefined) script(join(dir, 'finish'), spec.finish)
  if (spec.check !== undefined) script(join(dir, 'check'), spec.check)
  if (spec.down === true) writeFileSync(join(dir, 'down'), '')
  if (spec.log !== undefined) {
    mkdirSync(join(dir, 'log'))
    script(join(dir, 'log', 'run'), spec.log)
    if (spec.logDown === true) writeFileSync(join(dir, 'log', 'down'), '')
  }
  if (spec.hooks !== undefined) {
    mkdirSync(join(dir, 'control'))
    for (const [letter, body] of Object.entries(spec.hooks)) script(join(dir, 'control', letter), body)
  }
  return dir
}

export function readText (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

export const stat = (dir: string): string => readText(join(dir, 'supervise', 'stat'))
/** stat once the status record beside it says the same, else '': runsv renames stat before
 * status (runit's order), so a reader as fast as runit's sv can find the new stat beside the old
 * status. The record folds want exit into down. */
export function settledStat (dir: string): string {
  const text = stat(dir)
  try {
    const record = readStatus(servicePaths(dir))
    if (record !== 'bad-format' && formatStat(record) === text.replace(', want exit', ', want down')) return text
  } catch { /* no record yet */ }
  return ''
}
export const pidOf = (dir: string): number => Number.parseInt(readText(join(dir, 'supervise', 'pid')), 10) || 0

/** A run script that records each signal it gets into ./sigs; TERM also ends it. `wait` returns
 * when a trap fires, so traps run at once. */
export const SIGNAL_RECORDER = `
for s in HUP ALRM INT QUIT USR1 USR2 CONT; do trap "echo $s >> ./sigs" $s; done
trap 'echo TERM >> ./sigs; kill $child 2>/dev/null; exit 0' TERM
echo start >> ./sigs
while :; do sleep 1000 & child=$!; wait $child; kill $child 2>/dev/null; done`

/** The signals SIGNAL_RECORDER wrote down, in order. */
export const sigs = (dir: string): string[] => readText(join(dir, 'sigs')).split('\n').filter(Boolean)
