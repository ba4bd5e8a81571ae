// runsvdir's command line and diagnostics, runit's C binary against ours: outputs compared.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runBin, BIN } from '../helpers/bin.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit, RUNIT_DIR } from '../helpers/runit.js'
import { startRunsvdir, exited } from '../runsvdir/tree.js'

type Impl = { name: string, exe: string | undefined, runitDir: string | undefined }
const impls = (): Impl[] => [
  { name: 'runit', exe: runitBin('runsvdir'), runitDir: RUNIT_DIR },
  { name: 'ours', exe: undefined, runitDir: undefined }
]

t.test('usage lines and exit codes', needRunit(), async t => {
  for (const args of [[], ['-P'], ['--'], ['-Pq']]) {
    const [a, b] = await Promise.all(impls().map(async i => {
      const r = await runBin('runsvdir', args, { exe: i.exe })
      return { code: r.code, stderr: r.stderr.replace(i.exe ?? join(BIN, 'runsvdir'), 'ARGV0') }
    }))
    t.same(b, a, `${JSON.stringify(args)}: ${JSON.stringify(a)}`)
  }
})

/** Distinct stderr lines of runsvdir on `args` until `enough` of them, with paths normalised. */
async function lines (
  t: Test, i: Impl, args: (base: string) => string[], setup: (base: string) => void, enough: number
): Promise<string[]> {
  const base = t.testdir()
  setup(base)
  const r = startRunsvdir(t, args(base), { exe: i.exe, runitDir: i.runitDir, cwd: base })
  await until(() => r.stderr().split('\n').length - 1, n => n >= enough, { what: `${i.name} stderr lines` })
  process.kill(r.pid, 'SIGTERM')
  const [code] = await exited(r)
  const out = [...new Set(r.stderr().split(base).join('BASE').split('\n'))].filter(l => l !== '')
  return [`exit ${String(code)}`, ...out]
}

const cases: Array<{ what: string, args: (b: string) => string[], setup: (b: string) => void, enough: number }> = [
  { what: 'a missing directory', args: b => [join(b, 'none')], setup: () => {}, enough: 2 },
  { what: 'a regular file as the directory', args: b => [join(b, 'file')], setup: b => { writeFileSync(join(b, 'file'), '') }, enough: 2 },
  { what: 'a log argument that is too short', args: b => [join(b, 'none'), 'log:'], setup: () => {}, enough: 3 },
  { what: '-X is taken as the directory (relative to the cwd), the next argument as the log', args: () => ['-X', 'short'], setup: () => {}, enough: 3 }
]

for (const c of cases) {
  t.test(c.what, needRunit(), async t => {
    const runit = await lines(t, impls()[0]!, c.args, c.setup, c.enough)
    const ours = await lines(t, impls()[1]!, c.args, c.setup, c.enough)
    t.same(ours, runit, runit.join(' | '))
  })
}
