// chpst's program gets the open-files soft limit and the ignored signals chpst was started with
// (runit's chpst execs, so everything passes), unless an option sets the limit.
import t from 'tap'
import { runBin } from '../helpers/bin.js'
import { LOW, needLowLimit, noteState, underState } from '../helpers/start-state.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { CHPST } from '../helpers/chpst.js'

/** INT, QUIT, HUP and TERM: bits 1, 2, 3 and 15 */
const MASK = '0000000000004007'

async function chpst (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const [exe, argv] = underState(LOW, CHPST, [...args, '/bin/sh', '-c', noteState()])
  const r = await runBin('chpst', argv, { exe, env: cleanEnv() })
  return { code: r.code, stdout: r.stdout, stderr: r.stderr }
}

t.test('started under ulimit -Sn 1000 with signals ignored', needLowLimit, async t => {
  t.same(await chpst([]), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'no options')
  t.same(await chpst(['-m', '900000000']), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'other limits set')
  t.same(await chpst(['-o', '500']), { code: 0, stdout: `500 ${MASK}\n`, stderr: '' }, '-o sets it')
  t.same(await chpst(['-b', 'other']), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'another argv[0]')
})
