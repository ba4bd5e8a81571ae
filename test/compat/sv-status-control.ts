// sv against runit's: the same scenarios with runit's runsv + runit's sv (the reference), our
// runsv + our sv, and both crossings; stdout/stderr compared with pids and ages masked, exit codes
// compared exactly.
import t from 'tap'
import { join } from 'node:path'
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { serviceIn, stat, settledStat, pidOf, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'
import { needRunit } from '../helpers/runit.js'
import { runsv, testdir, Transcript, PAIRS, type Step } from '../helpers/sv.js'

// Traps every signal sv can send (so no runsv's inherited dispositions matter) and has no
// long-lived children (k kills only the recorded pid).
const SERVICE = `
for s in HUP ALRM INT QUIT USR1 USR2 CONT; do trap "echo $s >> ./sigs" $s; done
trap 'exit 0' TERM
echo start >> ./sigs
while :; do sleep 1; done`

const started = (dir: string): boolean => readText(join(dir, 'sigs')).includes('start')

type Test = Parameters<Parameters<typeof t.test>[1]>[0]

async function everyCommand (t: Test, root: string, pair: typeof PAIRS[number]): Promise<Step[]> {
  const base = join(root, `${pair.runsv}-${pair.sv}`)
  mkdirSync(join(base, 'nosup'), { recursive: true })
  const dir = serviceIn(base, { run: SERVICE, log: 'exec cat >/dev/null' })
  const sup = runsv(t, pair.runsv, dir)
  await until(() => started(dir) && stat(dir) === 'run\n' && stat(join(dir, 'log')) === 'run\n', ok => ok, { timeout: 15000, what: 'service and log up' })
  const s = new Transcript(pair.sv, base, cleanEnv({ SVDIR: base }))
  const settle = async (want: string): Promise<void> => { await until(() => settledStat(dir), x => x === want, { timeout: 15000, what: `stat ${want}` }) }
  const replaced = async (old: number): Promise<void> => { await until(() => pidOf(dir), p => p !== 0 && p !== old, { timeout: 15000, what: 'new pid' }) }

  await s.sv('status', './svc')
  await s.sv('status', 'svc', './nosup', './none', '', `${dir}/`)
  await s.sv('-v', 'pause', './svc')
  await s.sv('status', 'svc')
  await s.sv('-v', 'cont', 'svc')
  for (const w of ['hup', 'alarm', 'interrupt', 'quit', '1', '2']) await s.sv('-v', w, './svc')
  let pid = pidOf(dir)
  await s.sv('-v', 'term', './svc')
  await replaced(pid)
  await s.sv('-v', 'down', './svc')
  await s.sv('status', './svc')
  // Not -v once: runit's sv compares whole seconds and may take the record of the down just
  // before as the result (sv(8), WAITING; test/compat/sv-races.ts).
  await s.sv('o', './svc')
  await settle('run, want down\n')
  await s.sv('status', './svc')
  await s.sv('-v', 'down', './svc')
  await s.sv('-v', 'up', './svc', './none')
  pid = pidOf(dir)
  await s.sv('-v', 'kill', './svc')
  await replaced(pid)
  await s.sv('p', './svc')
  await settle('run, paused\n')
  await s.sv('status', './svc')
  await s.sv('c', './svc')
  await settle('run\n')
  await s.sv('d', 'svc')
  await settle('down\n')
  await s.sv('status', './svc')
  await s.sv('u', 'svc')
  await settle('run\n')
  await s.sv('o', 'svc')
  await settle('run, want down\n')
  await s.sv('-v', 'exit', './svc', './none')
  t.same(await sup.exit, [0, null], `${pair.label}: runsv exited 0`)
  await s.sv('status', './svc')
  await s.sv('-v', 'up', './svc')
  await s.sv('-v', 'exit', './svc')
  return s.steps
}

// Ignores TERM (set before exec, so no runsv's dispositions matter) and says so in ./trapped:
// a TERM sent before the shell got to its trap (stat says run at the fork) would end it, as it
// did once under load. finish waits for ./go.
const STUBBORN = "trap '' TERM\n: > trapped\nexec sleep 1000"
const FINISH = 'while [ ! -e go ]; do sleep 0.1; done'

async function timeoutsAndFinish (t: Test, root: string, pair: typeof PAIRS[number]): Promise<Step[]> {
  const base = join(root, `${pair.runsv}-${pair.sv}`)
  mkdirSync(base, { recursive: true })
  const dir = serviceIn(base, { run: STUBBORN, finish: FINISH })
  const sup = runsv(t, pair.runsv, dir)
  const trapped = join(dir, 'trapped')
  await until(() => existsSync(trapped), x => x, { timeout: 15000, what: 'the run ignoring TERM' })
  const s = new Transcript(pair.sv, base)
  const settle = async (want: string): Promise<void> => { await until(() => settledStat(dir), x => x === want, { timeout: 15000, what: `stat ${want}` }) }
  const go = (): void => { writeFileSync(join(dir, 'go'), '') }

  await s.sv('-w', '1', 'down', './svc')
  await s.sv('status', './svc')
  await s.sv('-w', '1', 'force-stop', './svc')
  await settle('finish, want down\n')
  await s.sv('status', './svc')
  go()
  await settle('down\n')
  await s.sv('status', './svc')
  rmSync(join(dir, 'go'))
  rmSync(trapped)
  await s.sv('-v', 'up', './svc')
  await until(() => existsSync(trapped), x => x, { timeout: 15000, what: 'the run ignoring TERM' })
  // Time is the behaviour: runit's sv takes a process started in its own second as restarted
  // (whole-second compare, sv(8), WAITING), so let a second pass first.
  await new Promise(resolve => setTimeout(resolve, 1100))
  await s.sv('-w', '0', 'force-restart', './svc')
  await settle('finish\n')
  await s.sv('status', './svc')
  rmSync(trapped)
  go()
  await settle('run\n')
  await until(() => existsSync(trapped), x => x, { timeout: 15000, what: 'the run ignoring TERM' })
  await s.sv('-w', '0', 'stop', './svc', './svc')
  await s.sv('-w', '1', 'force-shutdown', './svc')
  t.same(await sup.exit, [0, null], `${pair.label}: runsv exited 0`)
  return s.steps
}

for (const [name, scenario] of [['every command and status line', everyCommand], ['timeouts, kill on timeout, finish', timeoutsAndFinish]] as const) {
  t.test(name, needRunit(), async t => {
    const root = testdir(t)
    const runs: Step[][] = []
    for (const pair of PAIRS) runs.push(await scenario(t, root, pair))
    const [reference, ...others] = runs
    t.ok(reference!.length > 5, 'the scenario ran')
    if (process.env.SV_COMPAT_DUMP !== undefined) t.comment(reference!.map(s => `$ ${s.cmd}  [${s.code}]\n${s.stdout}${s.stderr}`).join(''))
    others.forEach((steps, i) => { t.same(steps, reference, `${PAIRS[i + 1]!.label} = ${PAIRS[0]!.label}`) })
  })
}
