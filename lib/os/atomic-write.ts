// Write-then-rename, so readers never see a half-written file.

import { writeFileSync, renameSync, unlinkSync } from 'node:fs'

/** Writes `tmp` (0644 before umask, truncated), then renames it over `path`. */
export function writeAtomic (path: string, tmp: string, data: string | Buffer): void {
  try {
    writeFileSync(tmp, data, { mode: 0o644 })
    renameSync(tmp, path)
  } catch (err) {
    try { unlinkSync(tmp) } catch { /* nothing to clean */ }
    throw err
  }
}
