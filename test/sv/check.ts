// sv runs ./check as runit's sv does, execve("check", ["./check"]) in the service directory: a
// script's $0 is "check" (its errors read "check: 2: …"), an ELF program's argv[0] "./check";
// and it gets the open-files soft limit and ignored signals sv was started with.
import t from 'tap'
import { join } from 'node:path'
import { copyFileSync } from 'node:fs'
import { BIN, runBin } from '../helpers/bin.js'
import { LOW, needLowLimit, noteState, underState } from '../helpers/start-state.js'
import { service, stat, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { needRunit } from '../helpers/runit.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { runsv, sv, PAIRS } from '../helpers/sv.js'

async function upWithCheck (t: Parameters<Parameters<typeof t.test>[1]>[0], check: string, impl: 'ours' | 'runit' = 'ours'): Promise<string> {
  const dir = service(t, { run: 'exec sleep 1000', check })
  runsv(t, impl, dir)
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  return dir
}

t.test('a check script\'s $0 is "check": its shell\'s errors read as under runit', async t => {
  const dir = await upWithCheck(t, 'echo "$0" > ./argv0\nsocklog-check-missing\nexit 0')
  const r = await sv('ours', ['check', dir])
  t.equal(r.code, 0)
  t.equal(readText(join(dir, 'argv0')), 'check\n')
  t.equal(r.stderr, 'check: 3: socklog-check-missing: not found\n')
})

for (const { runsv: impl, label } of PAIRS.filter(p => p.sv === 'ours')) {
  t.test(`the same words as runit's sv, ${label}`, needRunit(), async t => {
    const dir = await upWithCheck(t, 'socklog-check-missing\nexit 0', impl)
    const ours = await sv('ours', ['check', dir])
    const theirs = await sv('runit', ['check', dir])
    t.equal(theirs.stderr, 'check: 2: socklog-check-missing: not found\n')
    t.equal(ours.stderr, theirs.stderr)
    t.equal(ours.code, theirs.code)
  })
}

t.test('a compiled check keeps argv[0] "./check"', async t => {
  const dir = await upWithCheck(t, 'exit 0')
  copyFileSync('/bin/sleep', join(dir, 'check')) // coreutils names itself by argv[0] when it fails
  const r = await sv('ours', ['-w', '1', 'check', dir])
  t.equal(r.code, 1, 'sleep without an operand fails, so the check does')
  t.match(r.stderr, /^\.\/check: missing operand\n/)
})

t.test('check gets the limit and all the ignored signals sv was started with', needLowLimit, async t => {
  const dir = await upWithCheck(t, noteState('./check.state'))
  const [exe, args] = underState(LOW, join(BIN, 'sv.js'), ['check', dir])
  const r = await runBin('sv', args, { exe, env: cleanEnv() })
  t.equal(r.code, 0, r.stderr)
  // runit's sv catches no signal: HUP and TERM stay ignored too (bits 1, 2, 3 and 15).
  t.equal(readText(join(dir, 'check.state')).trim(), '1000 0000000000004007')
})
