// runit's own sv cannot tell our runsv from runit's: the same scenario, outputs compared.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { startBin, runBin } from '../helpers/bin.js'
import { service, settledStat, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { runitBin, needRunit } from '../helpers/runit.js'

const normalise = (s: string, dir: string): string =>
  s.split(dir).join('DIR').replace(/\(pid \d+\)/g, '(pid N)').replace(/ \d+s/g, ' Ns')

async function scenario (t: Test, runsvExe: string | undefined): Promise<string[]> {
  const dir = service(t, {
    // runit's sv -w term looks at once, then every 420 ms: the TERM (taken after the current sleep),
    // ./finish and the restart must be over well within 420 ms for either runsv, even under load.
    run: 'trap "exit 7" TERM; while :; do sleep 0.05; done',
    finish: 'sleep 0.05',
    log: 'exec cat > /dev/null'
  })
  const runsv = startBin(t, 'runsv', [dir], { services: [dir], exe: runsvExe })
  const sv = async (...args: string[]): Promise<string> => {
    const r = await runBin('sv', args, { exe: runitBin('sv') })
    return `${args.slice(0, -1).join(' ')} -> ${r.code}: ${normalise(r.stdout + r.stderr, dir)}`
  }
  const settled = (want: string) => until(() => settledStat(dir), s => s === want, { what: 'stat', timeout: 6000 })
  const out: string[] = []
  await settled('run\n')
  await until(() => readText(join(dir, 'log', 'supervise', 'stat')), s => s === 'run\n')
  out.push(await sv('status', dir))
  out.push(await sv('-w', '5', 'down', dir))
  out.push(await sv('status', dir))
  writeFileSync(join(dir, 'down'), '')
  out.push(await sv('status', dir))
  out.push(await sv('-w', '5', 'up', dir))
  out.push(await sv('status', dir))
  out.push(await sv('once', dir))
  await settled('run, want down\n')
  out.push(await sv('status', dir))
  out.push(await sv('pause', dir))
  await settled('run, paused, want down\n')
  out.push(await sv('status', dir))
  out.push(await sv('cont', dir))
  await settled('run, want down\n')
  // Not -v here: runit's sv may judge from the status written before runsv read the u (sv(8), WAITING).
  out.push(await sv('up', dir))
  await settled('run\n')
  out.push(await sv('check', dir))
  out.push(await sv('-w', '5', 'term', dir))
  await settled('run\n')
  out.push(await sv('status', join(dir, 'log')))
  out.push(await sv('-w', '5', 'exit', dir))
  await Promise.race([runsv.exit, new Promise((resolve, reject) => setTimeout(() => { reject(new Error('runsv did not exit')) }, 10_000))])
  out.push(await sv('status', dir))
  out.push(readText(join(dir, 'supervise', 'stat')) + readText(join(dir, 'log', 'supervise', 'stat')))
  return out
}

t.test('runit\'s sv sees the same through ours as through runit\'s runsv', needRunit(), async t => {
  const theirs = await scenario(t, runitBin('runsv'))
  const ours = await scenario(t, undefined)
  t.same(ours, theirs)
})
