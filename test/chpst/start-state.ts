// chpst's program gets the open-files soft limit and the ignored signals chpst was started with
// (runit's chpst execs, so everything passes), unless an option sets the limit.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { runBin, underState } from '../helpers/bin.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { CHPST } from '../helpers/chpst.js'

const HARD = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1])
const NOTE = `set -- $(grep 'Max open files' /proc/$$/limits); echo "$4 $(sed -n 's/^SigIgn:\\t//p' /proc/$$/status)"`
const STATE = { nofile: 1000, ignore: ['INT', 'QUIT', 'HUP', 'TERM'] }
/** INT, QUIT, HUP and TERM: bits 1, 2, 3 and 15 */
const MASK = '0000000000004007'

async function chpst (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const [exe, argv] = underState(STATE, CHPST, [...args, '/bin/sh', '-c', NOTE])
  const r = await runBin('chpst', argv, { exe, env: cleanEnv() })
  return { code: r.code, stdout: r.stdout, stderr: r.stderr }
}

t.test('started under ulimit -Sn 1000 with signals ignored', { skip: HARD > 1000 ? false : 'the hard open-files limit is 1000 or less here' }, async t => {
  t.same(await chpst([]), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'no options')
  t.same(await chpst(['-m', '900000000']), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'other limits set')
  t.same(await chpst(['-o', '500']), { code: 0, stdout: `500 ${MASK}\n`, stderr: '' }, '-o sets it')
  t.same(await chpst(['-b', 'other']), { code: 0, stdout: `1000 ${MASK}\n`, stderr: '' }, 'another argv[0]')
})
