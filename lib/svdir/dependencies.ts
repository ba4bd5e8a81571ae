// The optional file `dependencies` (s6-rc's name; runsv(8), DEPENDENCIES): one service per line,
// `NAME` (start only once NAME is up and ready) or `NAME bind` (also stop with it); blank lines
// and # comments ignored. Shared by runsv (the start gate) and runsvdir (the start order).

import { join, isAbsolute } from 'node:path'
import { readOptional } from './optional-file.js'
import { servicePaths, type SvPaths } from './layout.js'

export interface Dependency {
  name: string
  bind: boolean
}

export interface ParsedDependencies {
  deps: Dependency[]
  /** "line N: ..." for each line that was not understood (that line is ignored) */
  errors: string[]
}

export function parseDependencies (text: string): ParsedDependencies {
  const deps: Dependency[] = []
  const errors: string[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') return
    const [name, word, ...more] = line.split(/\s+/)
    if (name === undefined || (word !== undefined && word !== 'bind') || more.length > 0) {
      errors.push(`line ${i + 1}: not NAME or NAME bind: ${line}`)
      return
    }
    deps.push({ name, bind: word === 'bind' })
  })
  return { deps, errors }
}

/** A dependency's directory: a bare name in the scan directory the service is in, a path as is. */
export function dependencyDir (name: string, scanDir: string): string {
  return isAbsolute(name) ? name : join(scanDir, name)
}

/** The dependencies of the service directory `dir` (none without the file); throws read errors. */
export function readDependencies (p: Pick<SvPaths, 'dependencies'>): ParsedDependencies {
  const text = readOptional(p.dependencies)
  return text === null ? { deps: [], errors: [] } : parseDependencies(text)
}

/** The first cycle through `start` in the graph of `edges` (names), as a path start → … → start. */
export function findCycle (start: string, edges: (name: string) => readonly string[]): string[] | null {
  const seen = new Set<string>()
  const path: string[] = []
  const visit = (n: string): string[] | null => {
    path.push(n)
    for (const next of edges(n)) {
      if (next === start) return [...path, start]
      if (seen.has(next)) continue
      seen.add(next)
      const found = visit(next)
      if (found !== null) return found
    }
    path.pop()
    return null
  }
  return visit(start)
}

/** `names` ordered so that each comes after the ones it depends on (among `names`); otherwise in
 * the given order. Members of a cycle keep their given order (runsv reports the cycle). */
export function startOrder<T> (items: readonly T[], nameOf: (item: T) => string,
  edges: (name: string) => readonly string[]): T[] {
  const byName = new Map(items.map(i => [nameOf(i), i]))
  const out: T[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (n: string): void => {
    if (state.has(n)) return
    state.set(n, 'visiting')
    for (const d of edges(n)) if (byName.has(d)) visit(d)
    state.set(n, 'done')
    out.push(byName.get(n)!)
  }
  for (const i of items) visit(nameOf(i))
  return out
}

/** The names a service in `scanDir` depends on, for runsvdir's order (unreadable: none). */
export function dependencyNames (scanDir: string, name: string): string[] {
  try {
    return readDependencies(servicePaths(dependencyDir(name, scanDir))).deps.map(d => d.name)
  } catch {
    return []
  }
}
