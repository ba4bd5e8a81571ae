// What ps, pidof and pgrep -x see of a process: its name (/proc/PID/comm) and its command line
// (/proc/PID/cmdline), and whether the tools find it by name.

import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import type { Test } from 'tap'
import { until } from './until.js'

/** The process name ('' once gone). */
export function commOf (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').replace(/\n$/, '')
  } catch {
    return ''
  }
}

/** The command line split on NUL, the area's trailing NULs dropped ([] once gone). */
export function argvOf (pid: number): string[] {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0+$/, '')
    return text === '' ? [] : text.split('\0')
  } catch {
    return []
  }
}

/** The pids `pidof name` or `pgrep -x name` print; undefined when the tool is not installed. */
export function pidsNamed (tool: 'pidof' | 'pgrep', name: string): number[] | undefined {
  const r = spawnSync(tool, tool === 'pgrep' ? ['-x', name] : [name], { encoding: 'latin1', timeout: 10000 })
  if (r.error !== undefined) return undefined
  return r.stdout.split(/\s+/).filter(s => s !== '').map(Number)
}

/**
 * Waits (bounded) until pid shows as `name` with command line `argv`, then checks that pidof and
 * pgrep -x find it by that name (subtests skipped with a reason where a tool is missing).
 */
export async function shownAs (t: Test, pid: number, name: string, argv: readonly string[]): Promise<void> {
  const same = (a: readonly string[]): boolean => a.length === argv.length && a.every((s, i) => s === argv[i])
  await until(() => ({ comm: commOf(pid), argv: argvOf(pid) }), v => v.comm === name && same(v.argv), { what: `process ${pid}` })
  t.equal(commOf(pid), name, '/proc/PID/comm')
  t.same(argvOf(pid), argv, '/proc/PID/cmdline')
  for (const tool of ['pidof', 'pgrep'] as const) {
    const found = pidsNamed(tool, name)
    await t.test(`${tool} finds it`, { skip: found === undefined ? `${tool} is not installed` : false }, async t => {
      t.ok(found!.includes(pid), `${tool} ${tool === 'pgrep' ? '-x ' : ''}${name} printed ${found!.join(' ')}`)
    })
  }
}
