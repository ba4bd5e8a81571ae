// The one environment for programs that tests start, built from nothing: a developer's
// SVDIR/SVWAIT and the test runner's NODE_OPTIONS, TAP_* and _TAPJS_* never reach them.

import processOnSpawn from 'process-on-spawn'

// tap loads @tapjs/processinfo into each test process, whose spawn hook adds its NODE_OPTIONS
// (an --import from node_modules/) and _TAPJS_* variables to every child, even one given an
// explicit env. A service would then load tap's hooks, and, as nobody, fail to reach them or to
// write .tap/processinfo. The hook only tracks children for coverage, which is off here
// (disable-coverage), so it is removed, in the module every helper that spawns imports. Lib code
// run in-process (runsvdir's loop) then spawns with what it is given, as it would for a user.
// test/environment.ts fails if tap starts reaching children another way.
processOnSpawn.removeAllListeners()

/** PATH without what `npm test` puts in front (node_modules/.bin, npm's node-gyp-bin). */
export const PATH = (process.env.PATH ?? '/usr/bin:/bin').split(':')
  .filter(d => !d.endsWith('/node_modules/.bin') && !d.endsWith('/node-gyp-bin')).join(':')

export function cleanEnv (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH }
  if (process.env.NODE_V8_COVERAGE !== undefined) env.NODE_V8_COVERAGE = process.env.NODE_V8_COVERAGE
  return { ...env, ...extra }
}
