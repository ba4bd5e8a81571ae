// A service started by a test sees the environment the test gave its supervisor, as under a
// user's runsvdir: nothing of the test runner (tap's NODE_OPTIONS, TAP_*, _TAPJS_*). npm test runs
// this folder twice, so it holds for runsv processes and for supervisors inside runsvdir -1.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { startBin } from '../helpers/bin.js'
import { PATH, cleanEnv } from '../helpers/clean-env.js'
import { readText, service, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

const RUNNER = /^(NODE_OPTIONS|TAP|TAP_\w*|_TAPJS_\w*)=/

const runnerVars = (env: string[]): string[] => env.filter(v => RUNNER.test(v))

t.test('the test runner sets its variables in this process (else the checks below prove nothing)', async t => {
  const own = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`)
  t.ok(own.some(v => v.startsWith('NODE_OPTIONS=')), 'NODE_OPTIONS')
  t.ok(own.some(v => v.startsWith('TAP_')), 'TAP_*')
  t.ok(own.some(v => v.startsWith('_TAPJS_')), '_TAPJS_*')
})

t.test('a program given an environment gets exactly that one (tap\'s spawn hook is off)', async t => {
  const r = spawnSync('env', ['-0'], { env: cleanEnv({ GIVEN: 'yes' }), encoding: 'utf8' })
  t.same(r.stdout.split('\0').filter(v => v !== '').sort(), ['GIVEN=yes', `PATH=${PATH}`])
})

t.test('./run sees what its supervisor was given, nothing of the test runner', async t => {
  const dir = service(t, { run: 'tr "\\0" "\\n" < /proc/$$/environ > env.new && mv env.new env.out\nexec sleep 1000' })
  startBin(t, 'runsv', [dir], { env: cleanEnv({ GIVEN: 'yes' }), services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const env = await until(() => readText(join(dir, 'env.out')).split('\n').filter(v => v !== ''), l => l.length > 0, { what: 'env.out' })
  t.ok(env.includes('GIVEN=yes'), 'what it was given')
  t.ok(env.includes(`PATH=${PATH}`), 'PATH')
  t.same(runnerVars(env), [], 'no variable of the test runner')
})
