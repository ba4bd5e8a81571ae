// The bin/ shims turn V8's compile cache on before loading their bundle where the runtime has
// module.enableCompileCache (Node >= 22.1), and are a no-op elsewhere (Node 20); sv works either way.
import t from 'tap'
import * as nodeModule from 'node:module'
import { join } from 'node:path'
import { readdirSync, existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { svExe } from '../helpers/sv.js'
import { cleanEnv } from '../helpers/clean-env.js'

const hasApi = typeof (nodeModule as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function'

t.test('sv runs with the cache directory set, and fills it where it can', async t => {
  const dir = join(t.testdir(), 'cache')
  // This very runtime, not whichever node the shim's #! finds first in PATH.
  const r = spawnSync(process.execPath, [svExe('ours'), 'status', './nothing'], { cwd: t.testdirName, env: cleanEnv({ NODE_COMPILE_CACHE: dir }), encoding: 'utf8' })
  t.equal(r.stdout, 'fail: ./nothing: unable to change to service directory: file does not exist\n')
  t.equal(r.status, 1)
  if (hasApi) t.ok(existsSync(dir) && readdirSync(dir).length > 0, `cache written (Node ${process.version})`)
  else t.notOk(existsSync(dir), `no cache on Node ${process.version}`)
})
