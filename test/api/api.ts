// The API as a user consumes it: `npm pack`, installed into a fresh project, imported from
// TypeScript (tsc --noEmit against the shipped types, as ESM and as CommonJS) and from plain
// JavaScript (import and require), driving a real runsv.
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/bin.js'
import { runsv } from '../helpers/sv.js'
import { serviceIn, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { pack, run, npmEnv } from '../helpers/pack.js'
import * as defaults from '../../build/sv/defaults.js'
import { DEFAULT_SVDIR, DEFAULT_WAIT } from '../../build/cli/sv.js'

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

t.test('sv and the API agree on the defaults (cli/sv.ts keeps its own copies)', async t => {
  t.same([defaults.DEFAULT_SVDIR, defaults.DEFAULT_WAIT], [DEFAULT_SVDIR, DEFAULT_WAIT])
})

/** The same steps in each form; prints one JSON line of what it saw. */
const steps = (imports: string): string => `${imports}
const svdir = process.env.SVDIR
const all = await services()
const web = new Service('web')
const before = await web.status()
const seenEvents = []
const collecting = (async () => {
  for await (const e of web.events()) { seenEvents.push(e.event); if (e.event === 'started') break }
})()
const down = await web.down()
const afterDown = await web.status()
const up = await web.up({ timeout: 10 })
const afterUp = await web.status()
await collecting
const started = await web.wait('started', { timeout: 5 })
const gone = await web.wait('exit', { timeout: 1 })
const nosuch = await new Service('nosuch').up({ timeout: 1 })
const o = await overview({ svdir })
console.log(JSON.stringify({
  names: all.map(s => s.name), version: OVERVIEW_VERSION, before: before.state, pid: before.pid,
  down: [down.ok, down.output], afterDown: [afterDown.state, afterDown.want], up: [up.ok, up.output],
  afterUp: afterUp.state, nosuch: [nosuch.ok, nosuch.failures, nosuch.output], listed: o.services.length,
  log: before.log === null, seenEvents, started, gone
}))
`

t.test('packed, installed, imported from TypeScript and JavaScript, driving a real runsv', { timeout: 240000 }, async t => {
  const base = t.testdir()
  const tarball = await pack(base)
  const app = join(base, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }))
  const inst = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app })
  t.equal(inst.code, 0, `npm install of the tarball: ${inst.stderr}`)

  // TypeScript: both module kinds, strict, against the shipped .d.ts/.d.cts; the wrong calls must fail.
  const use = `import { Service, services, overview, OVERVIEW_VERSION, type ServiceEntry, type ControlResult } from 'runit-ts'
export async function main (): Promise<void> {
  const web: Service = (await services({ svdir: '/x' }))[0]!
  const s: ServiceEntry = await web.status()
  const state: 'run' | 'down' | 'finish' | null = s.state
  const r: ControlResult = await web.restart({ timeout: 3 })
  const v: 1 = OVERVIEW_VERSION
  const o = await overview({ names: ['web'] })
  const mem: number | null | undefined = o.services[0]?.cgroup?.memoryBytes
  // @ts-expect-error: wait is a boolean
  await web.up({ wait: 'yes' })
  // @ts-expect-error: no such method
  await web.frobnicate()
  const reached: boolean = await web.wait('ready', { timeout: 1 })
  // @ts-expect-error: no such event
  await web.wait('rebooted')
  for await (const e of web.events()) { const n: string = e.JOB; void [n, e.event, e.RESULT]; break }
  void [state, r.ok, r.output, v, mem, s.log?.state, reached]
}
`
  writeFileSync(join(app, 'use.mts'), use)
  writeFileSync(join(app, 'use.cts'), use)
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
      types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')], noUncheckedIndexedAccess: true
    },
    files: ['use.mts', 'use.cts']
  }))
  const tsc = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app })
  t.equal(tsc.code, 0, `tsc --noEmit: ${tsc.stdout}${tsc.stderr}`)
  const files = (await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--listFiles'], { cwd: app })).stdout
  t.match(files, /node_modules\/runit-ts\/build\/api\/index\.d\.ts\n/, 'import: the ES module types')
  t.match(files, /node_modules\/runit-ts\/build\/api\/index\.d\.cts\n/, 'require: the CommonJS types')

  // JavaScript, against a real runsv.
  const svdir = join(base, 'service')
  mkdirSync(svdir)
  const web = serviceIn(svdir, { name: 'web', run: 'exec sleep 1000' })
  runsv(t, 'ours', web)
  await until(() => stat(web), s => s === 'run\n', { what: 'web' })
  writeFileSync(join(app, 'esm.mjs'), steps("import { Service, services, overview, OVERVIEW_VERSION } from 'runit-ts'"))
  writeFileSync(join(app, 'cjs.cjs'), `(async () => {\n${steps("const { Service, services, overview, OVERVIEW_VERSION } = require('runit-ts')")}})()\n`)
  for (const script of ['esm.mjs', 'cjs.cjs']) {
    const r = await run(process.execPath, [script], { cwd: app, env: npmEnv({ SVDIR: svdir }) })
    t.equal(r.code, 0, `${script}: ${r.stderr}`)
    const seen = JSON.parse(r.stdout) as Record<string, unknown>
    t.match(seen, {
      names: ['web'], version: 1, before: 'run', afterDown: ['down', 'down'], afterUp: 'run', listed: 1, log: true,
      nosuch: [false, 1, /^fail: nosuch: unable to change to service directory: file does not exist\n$/]
    }, script)
    t.match(seen.down, [true, /^ok: down: web: \d+s, normally up\n$/], `${script}: down waited, in sv's words`)
    t.match(seen.up, [true, /^ok: run: web: \(pid \d+\) \d+s\n$/], `${script}: up waited`)
    t.ok(typeof seen.pid === 'number')
    t.match(seen, { started: true, gone: false }, `${script}: wait`)
    t.match((seen.seenEvents as string[]).join(' '), /stopping stopped .*down .*starting started$/, `${script}: events in order`)
  }
  t.equal(stat(web), 'run\n')
})
