// What runsv was started with reaches what it starts, as under runit: the open-files soft limit
// (Node raises its own to the hard limit) and the ignored signals (Node and libuv reset them),
// but never TERM or HUP ignored, which runit's supervisors catch.
import t from 'tap'
import { join } from 'node:path'
import { chmodSync, readFileSync } from 'node:fs'
import { startBin, type StartState } from '../helpers/bin.js'
import { service, stat, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

/** A soft limit below this machine's hard one, as a shell's `ulimit -Sn` would set. */
const HARD = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1])
const STATE: StartState = { nofile: 1000, ignore: ['INT', 'QUIT', 'HUP', 'TERM'] }
const skip = HARD > 1000 ? false : 'the hard open-files limit is 1000 or less here'

/** Shell that writes "<open-files soft limit> <SigIgn mask>" of its own process to `file`. */
export const NOTE_STATE = (file: string): string =>
  `set -- $(grep 'Max open files' /proc/$$/limits); echo "$4 $(sed -n 's/^SigIgn:\\t//p' /proc/$$/status)" > ${file}`

/** The limit and the mask of INT and QUIT alone (bits 2 and 3). */
const EXPECTED = '1000 0000000000000006'

t.test('./run, control/u, ./finish and log/run get the limit and ignored signals runsv was started with', { skip }, async t => {
  const dir = service(t, {
    run: `${NOTE_STATE('./run.state')}\nexec sleep 1000`,
    finish: NOTE_STATE('./finish.state'),
    log: `${NOTE_STATE('../log.state')}\nexec cat > /dev/null`,
    hooks: { u: `${NOTE_STATE('./hook.state')}\nexit 1` }
  })
  startBin(t, 'runsv', [dir], { services: [dir], startedWith: STATE })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const note = (name: string): Promise<string> => until(() => readText(join(dir, name)).trim(), s => s !== '', { what: name })
  t.equal(await note('run.state'), EXPECTED, './run')
  t.equal(await note('hook.state'), EXPECTED, 'control/u')
  t.equal(await note('log.state'), EXPECTED, 'log/run')
  sendControl(servicePaths(dir), 'd')
  t.equal(await note('finish.state'), EXPECTED, './finish')
})

t.test('started so, a run that cannot start still gets runit\'s message', { skip }, async t => {
  const dir = service(t, { run: 'exit 0' })
  chmodSync(join(dir, 'run'), 0o644)
  const runsv = startBin(t, 'runsv', [dir], { services: [dir], startedWith: STATE })
  await until(() => runsv.stderr(), s => s.includes('unable to start'), { what: 'stderr' })
  t.match(runsv.stderr(), `runsv ${runsv.name}: fatal: unable to start ./run: access denied\n`)
})

t.test('started with the hard limit and nothing ignored, the run gets the same', async t => {
  const dir = service(t, { run: `${NOTE_STATE('./run.state')}\nexec sleep 1000` })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const seen = await until(() => readText(join(dir, 'run.state')).trim(), s => s !== '', { what: 'run.state' })
  t.equal(seen, `${HARD} 0000000000000000`)
})
