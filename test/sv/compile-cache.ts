// The compile-cache helper sv calls at start-up: on where the runtime has module.enableCompileCache
// (Node >= 22.1), a no-op reporting 'absent' elsewhere (Node 20); sv works either way.
import t from 'tap'
import * as nodeModule from 'node:module'
import { join } from 'node:path'
import { readdirSync, existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { enableCompileCache } from '../../build/os/compile-cache.js'
import { svExe } from '../helpers/sv.js'
import { cleanEnv } from '../helpers/clean-env.js'

const hasApi = typeof (nodeModule as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function'

t.test('the helper matches what this runtime offers', async t => {
  const state = enableCompileCache()
  if (hasApi) t.match(state, /^(enabled|already|disabled)$/, `Node ${process.version} has the API`)
  else t.equal(state, 'absent', `Node ${process.version} has no compile cache`)
  t.equal(enableCompileCache(), hasApi ? (state === 'enabled' ? 'already' : state) : 'absent', 'a second call is harmless')
})

t.test('sv runs with the cache directory set, and fills it where it can', async t => {
  const dir = join(t.testdir(), 'cache')
  // This very runtime, not whichever node the shim's #! finds first in PATH.
  const r = spawnSync(process.execPath, [svExe('ours'), 'status', './nothing'], { cwd: t.testdirName, env: cleanEnv({ NODE_COMPILE_CACHE: dir }), encoding: 'utf8' })
  t.equal(r.stdout, 'fail: ./nothing: unable to change to service directory: file does not exist\n')
  t.equal(r.status, 1)
  if (hasApi) t.ok(existsSync(dir) && readdirSync(dir).length > 0, 'cache written')
  else t.notOk(existsSync(dir), 'no cache on this runtime')
})
