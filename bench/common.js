// Shared bits of the benchmark scripts: arguments, statistics, /proc readings, the table printer.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

export function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback
}

/** Where the service directories go (--dir): the file system decides much of what a supervisor
 * costs (every status record is three file creations and renames), so figures name it. */
export const WORK_BASE = arg('dir', tmpdir())

/** The parts of a script to run (--parts a,b; default all), in the script's own order: `all`
 * holds one entry per part, its name first. */
export function parts (all) {
  const want = arg('parts')
  if (want === undefined) return all
  const names = all.map(entry => entry[0])
  const chosen = String(want).split(',')
  const unknown = chosen.filter(p => !names.includes(p))
  if (unknown.length > 0) throw new Error(`bench: unknown part(s) ${unknown.join(', ')}; parts are ${names.join(', ')}`)
  return all.filter(entry => chosen.includes(entry[0]))
}

export const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

export function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Private (clean + dirty) and RSS kB of a process, from /proc/PID/smaps_rollup. */
export function privateKb (pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
  return { private: field('Private_Clean') + field('Private_Dirty'), rss: field('Rss') }
}

/** CPU time in ns of all threads of a process (schedstat's first field). */
export function cpuNs (pid) {
  let sum = 0
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try { sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) } catch { /* thread gone */ }
    }
  } catch { /* process gone */ }
  return sum
}

/** Kills a process's group, then the process (benchmarks start everything with detached: true). */
export function killTree (pid) {
  try { process.kill(-pid, 'SIGKILL') } catch { /* gone */ }
  try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
}

export function table (head, rows) {
  const all = [head, ...rows].map(r => r.map(String))
  const widths = head.map((_, i) => Math.max(...all.map(r => (r[i] ?? '').length)))
  const line = (r) => '| ' + r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |'
  return [line(all[0]), '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|', ...all.slice(1).map(line)].join('\n')
}

export function writeJson (file, data) {
  if (file === undefined) return
  let old = {}
  try { old = JSON.parse(readFileSync(file, 'utf8')) } catch { /* new file */ }
  writeFileSync(file, JSON.stringify({ ...old, ...data }, null, 2) + '\n')
}

/** Live processes (no zombies) whose environment holds MARK=mark: everything a benchmark started
 * with that variable, its services included, whatever session or cgroup they moved to. */
export function markedProcesses (mark) {
  const needle = Buffer.from(`\0MARK=${mark}\0`)
  const out = []
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      if (!Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${p}/environ`)]).includes(needle)) continue
      const text = readFileSync(`/proc/${p}/stat`, 'utf8')
      if (text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z') out.push(Number(p))
    } catch { /* gone */ }
  }
  return out
}
