// Directories every user can enter, for what a test runs as another user (chpst -u nobody, the
// webapp example run by root): a clone, with tap's .tap/fixtures in it, may sit in a directory
// only its owner can enter (mode 0700: /root, most homes, mktemp -d), and so may node (nvm).

import { chmodSync, copyFileSync, linkSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

interface Tap { teardown: (fn: () => unknown) => void }

/** True when every user may search dir and each directory above it (o+x all the way up). */
export function othersCanEnter (dir: string): boolean {
  for (let d = realpathSync(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false
    if (d === dirname(d)) return true
  }
}

/**
 * A new directory (0755) in the temporary directory, removed in teardown. Call it before
 * starting processes in it: teardowns run last-registered first, so they are reaped before.
 */
export function publicDir (t: Tap): string {
  const base = tmpdir()
  if (!othersCanEnter(base)) throw new Error(`other users cannot enter ${base}; set TMPDIR to a directory they can (tests run programs as nobody there)`)
  const dir = mkdtempSync(join(base, 'runit-ts-test-'))
  chmodSync(dir, 0o755)
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/**
 * Places `file` (a program) at `dest`, runnable by every user: a symlink when they can reach it,
 * a hard link when only its directories stand in the way, else a copy of our own.
 */
export function shareFile (file: string, dest: string): string {
  const real = realpathSync(file)
  const othersMayRun = (statSync(real).mode & 0o005) === 0o005
  if (othersMayRun && othersCanEnter(dirname(real))) {
    symlinkSync(real, dest)
    return dest
  }
  if (othersMayRun) {
    try {
      linkSync(real, dest)
      return dest
    } catch { /* another file system, or not ours to link (fs.protected_hardlinks) */ }
  }
  copyFileSync(real, dest)
  chmodSync(dest, 0o755)
  return dest
}
