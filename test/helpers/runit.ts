// Where runit's C binaries are, when present: $RUNIT_BIN, else .cache/runit (fetched by .ci/run
// or `npm run fetch-runit`). Compatibility tests skip with this reason when they are absent;
// under CI=true they fail instead, because CI always fetches them.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './bin.js'

export const RUNIT_DIR = process.env.RUNIT_BIN ?? join(ROOT, '.cache', 'runit', 'usr', 'bin')

export function runitBin (name: string): string | undefined {
  const p = join(RUNIT_DIR, name)
  return existsSync(p) ? p : undefined
}

/** tap option: skip (or, in CI, fail) when runit's binaries are missing. */
export function needRunit (): { skip: string | false } {
  if (runitBin('runsv') !== undefined) return { skip: false }
  if (process.env.CI === 'true') throw new Error(`runit's binaries are missing from ${RUNIT_DIR} (CI must fetch them)`)
  return { skip: `runit's C binaries not found in ${RUNIT_DIR}; run npm run fetch-runit` }
}
