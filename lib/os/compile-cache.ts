// V8's on-disk compile cache for short-lived programs: module.enableCompileCache (Node >= 22.1)
// when this Node has it; a no-op elsewhere (Node 20 has no such API, and nothing replaces it).
// The cache lives in Node's default place ($NODE_COMPILE_CACHE, else <os.tmpdir()>/node-compile-cache).
// It helps modules loaded after the call, so callers load their bulk with import() afterwards.

export type CompileCacheState = 'enabled' | 'already' | 'failed' | 'disabled' | 'absent'

type Enable = () => { status: number, message?: string }

/** Turns the compile cache on if the runtime offers it; never throws. */
export function enableCompileCache (): CompileCacheState {
  // Fetched lazily and only where it can help: loading node:module costs more than it saves on
  // Node 20, which has no compile cache.
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) return 'absent'
  const nodeModule = process.getBuiltinModule('node:module')
  const enable = (nodeModule as unknown as { enableCompileCache?: Enable }).enableCompileCache
  if (typeof enable !== 'function') return 'absent'
  try {
    const { status } = enable()
    const codes = (nodeModule as unknown as { constants?: { compileCacheStatus?: Record<string, number> } }).constants?.compileCacheStatus ?? {}
    if (status === codes.ENABLED) return 'enabled'
    if (status === codes.ALREADY_ENABLED) return 'already'
    if (status === codes.DISABLED) return 'disabled'
    return 'failed'
  } catch {
    return 'failed'
  }
}
