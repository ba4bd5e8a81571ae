// sv new and sv remove (sv(8)): instances of a template made, listed, linked into the scan
// directory, and removed once their runsv is gone. Loaded by cli/sv.ts only for these words.

import { symlinkSync, unlinkSync, lstatSync, realpathSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { createInstance, listInstances, removeInstance, isInstanceDir, isTemplateName, validValue } from '../svdir/instances.js'
import { servicePaths } from '../svdir/layout.js'
import { isSupervised } from '../svdir/ok-fifo.js'
import { serviceDir } from './client.js'
import { PREFIX, messageLine } from './report.js'

export interface InstanceReport {
  out: string
  failures: number
}

/** sv new TEMPLATE [VALUE ...]: makes each instance and links it into svdir; without values,
 * lists the template's instances (a * after those linked into svdir). */
export function newInstances (templateName: string, values: readonly string[], svdir: string,
  cwd: string): InstanceReport {
  const template = serviceDir(templateName.replace(/\/+$/, ''), svdir, cwd)
  const name = basename(template)
  let isDir = false
  try { isDir = statSync(template).isDirectory() } catch { /* said below */ }
  if (!isTemplateName(name) || !isDir) {
    return { out: messageLine(PREFIX.fail, templateName, 'not a template (a service directory whose name ends in @)'), failures: 1 }
  }
  if (values.length === 0) {
    const lines = listInstances(template).map(v => `${name}${v}${linkedIn(svdir, cwd, name + v) ? ' *' : ''}\n`)
    return { out: lines.join(''), failures: 0 }
  }
  let out = ''
  let failures = 0
  for (const v of values) {
    const inst = name + v
    if (!validValue(v)) {
      out += messageLine(PREFIX.fail, inst, 'not a name for an instance')
      failures++
      continue
    }
    try {
      const dir = createInstance(template, v)
      const link = join(scanDir(svdir, cwd), inst)
      if (!present(link)) symlinkSync(realpathSync(dir), link)
      out += messageLine(PREFIX.ok, inst, `linked into ${svdir}`)
    } catch (err) {
      out += messageLine(PREFIX.fail, inst, 'unable to create instance', err)
      failures++
    }
  }
  return { out, failures }
}

/** sv remove INSTANCE ...: unlinks each from svdir, waits (up to waitSec) for runsvdir to stop its
 * runsv, then removes the instance directory. */
export async function removeInstances (names: readonly string[], svdir: string, cwd: string,
  waitSec: number): Promise<InstanceReport> {
  let out = ''
  let failures = 0
  const deadline = Date.now() + waitSec * 1000
  for (const n of names) {
    const where = serviceDir(n, svdir, cwd)
    let dir: string
    try {
      dir = realpathSync(where)
    } catch (err) {
      out += messageLine(PREFIX.fail, n, 'unable to change to service directory', err)
      failures++
      continue
    }
    if (!isInstanceDir(dir)) {
      out += messageLine(PREFIX.fail, n, 'not an instance made by sv new')
      failures++
      continue
    }
    try {
      const link = join(scanDir(svdir, cwd), basename(dir))
      if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() === true) unlinkSync(link)
    } catch (err) {
      out += messageLine(PREFIX.fail, n, 'unable to unlink from the scan directory', err)
      failures++
      continue
    }
    const p = servicePaths(dir)
    while (supervised(p) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    if (supervised(p)) {
      out += messageLine(PREFIX.timeout, n, `runsv still running; ${dir} not removed`)
      failures++
      continue
    }
    removeInstance(dir)
    out += messageLine(PREFIX.ok, n, 'removed')
  }
  return { out, failures }
}

function scanDir (svdir: string, cwd: string): string {
  return svdir.startsWith('/') ? svdir : join(cwd, svdir)
}

function present (path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined
}

function linkedIn (svdir: string, cwd: string, name: string): boolean {
  return present(join(scanDir(svdir, cwd), name))
}

function supervised (p: ReturnType<typeof servicePaths>): boolean {
  try {
    return isSupervised(p)
  } catch {
    return false
  }
}
