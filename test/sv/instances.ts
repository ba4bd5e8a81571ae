// Templates and instances (sv(8) new, remove; runsv(8) INSTANCES): made from a template, run with
// their value by our runsv and by runit's, controlled by our sv and runit's, listed and removed.
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync, existsSync, readFileSync, readlinkSync, lstatSync } from 'node:fs'
import { startBin, runBin } from '../helpers/bin.js'
import { script, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { runitBin, needRunit } from '../helpers/runit.js'

function template (base: string): string {
  const tpl = join(base, 'sv', 'getty@')
  mkdirSync(join(tpl, 'log'), { recursive: true })
  script(join(tpl, 'run'), 'd=$(pwd -P); echo "${INSTANCE:--} ${d##*@}" > ./value; exec sleep 1000')
  script(join(tpl, 'log', 'run'), 'exec cat > /dev/null')
  return tpl
}

const read = (p: string): string => { try { return readFileSync(p, 'utf8') } catch { return '' } }

t.test('sv new makes and links instances, lists them; they run with their value; sv remove', async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  template(base)
  const env = cleanEnv({ SVDIR: scan })
  const made = await runBin('sv', ['new', './sv/getty@', 'tty1', 'tty2'], { env, cwd: base })
  t.equal(made.code, 0)
  t.equal(made.stdout, `ok: getty@tty1: linked into ${scan}\nok: getty@tty2: linked into ${scan}\n`)
  const tty1 = join(base, 'sv', 'getty@tty1')
  t.equal(readlinkSync(join(tty1, 'run')), '../getty@/run', 'run links to the template')
  t.ok(lstatSync(join(tty1, 'log')).isDirectory(), 'log/ is its own directory')
  t.equal(readlinkSync(join(tty1, 'log', 'run')), '../../getty@/log/run')
  t.equal(readlinkSync(join(scan, 'getty@tty1')), tty1, 'linked into the scan directory')
  t.equal((await runBin('sv', ['new', './sv/getty@'], { env, cwd: base })).stdout, 'getty@tty1 *\ngetty@tty2 *\n', 'listed')
  t.equal((await runBin('sv', ['new', './sv/getty@', 'a/b'], { env, cwd: base })).stdout, 'fail: getty@a/b: not a name for an instance\n')
  t.match((await runBin('sv', ['new', './sv', 'x'], { env, cwd: base })), { code: 1, stdout: /^fail: \.\/sv: not a template/ })

  const runsv = startBin(t, 'runsv', [join(scan, 'getty@tty1')], { services: [tty1] })
  t.equal(await until(() => read(join(tty1, 'value')), v => v !== '', { what: 'value' }), 'tty1 tty1\n', '$INSTANCE and the dir name')
  t.equal((await runBin('sv', ['-w', '5', 'down', 'getty@tty1'], { env })).code, 0, 'our sv controls it')
  t.match((await runBin('sv', ['status', 'getty@tty1'], { env })).stdout, /^down: getty@tty1: \d+s, normally up; run: log: /)
  const busy = await runBin('sv', ['-w', '0', 'remove', 'getty@tty1'], { env })
  t.match(busy, { code: 1, stdout: /^timeout: getty@tty1: runsv still running; .* not removed\n$/ })
  writeControl(tty1, 'x')
  await runsv.exit
  const gone = await runBin('sv', ['remove', join(tty1)], { env })
  t.same([gone.code, gone.stdout], [0, `ok: ${tty1}: removed\n`])
  t.notOk(existsSync(tty1), 'the instance directory is gone')
  t.ok(existsSync(join(base, 'sv', 'getty@', 'run')), 'the template stays')
  const tty2 = await runBin('sv', ['remove', 'getty@tty2'], { env })
  t.same([tty2.code, tty2.stdout], [0, 'ok: getty@tty2: removed\n'])
  t.notOk(existsSync(join(scan, 'getty@tty2')), 'unlinked')
})

function writeControl (dir: string, c: string): void {
  process.getBuiltinModule('node:fs').writeFileSync(join(dir, 'supervise', 'control'), c)
}

t.test('an instance under runit\'s own runsv and sv', needRunit(), async t => {
  const base = t.testdir()
  const scan = join(base, 'service')
  mkdirSync(scan)
  template(base)
  const env = cleanEnv({ SVDIR: scan })
  t.equal((await runBin('sv', ['new', './sv/getty@', 'tty3'], { env, cwd: base })).code, 0)
  const dir = join(base, 'sv', 'getty@tty3')
  startBin(t, 'runsv', [dir], { services: [dir], exe: runitBin('runsv') })
  t.equal(await until(() => read(join(dir, 'value')), v => v !== '', { what: 'value' }), '- tty3\n', 'the value from the dir name')
  await until(() => stat(dir), s => s === 'run\n', { what: 'run' })
  const down = await runBin('sv', ['-w', '5', 'down', 'getty@tty3'], { env, exe: runitBin('sv') })
  t.equal(down.code, 0, 'runit\'s sv controls it')
  t.match(down.stdout, /^ok: down: getty@tty3: /)
  t.match((await runBin('sv', ['status', 'getty@tty3'], { env })).stdout, /^down: getty@tty3: \d+s, normally up; run: log: /, 'ours reads it')
})
