// The use: a run script ending in `exec chpst -u nobody … program`, supervised by our runsv.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'
import { alive, startBin } from '../helpers/bin.js'
import { CHPST, NODE, isRoot, nodeHasExecve, programPid } from '../helpers/chpst.js'
import { pidOf, readText, service, shq, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'

const CHPST_CMD = `exec ${shq(NODE)} ${shq(CHPST)}`

function uidOf (pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
}

t.test('exec chpst -u nobody: the supervised program runs as nobody and stops on d', { skip: isRoot ? false : 'needs root' }, async t => {
  const dir = service(t, { run: `${CHPST_CMD} -u nobody -o 100 sleep 1000` })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'stat' })
  const supervised = pidOf(dir)
  const program = await programPid(supervised, 'sleep')
  t.equal(uidOf(program), 65534)
  if (nodeHasExecve) t.equal(program, supervised, 'runsv supervises the program itself')
  else t.not(program, supervised, 'runsv supervises the relaying chpst, whose child is the program')
  sendControl(servicePaths(dir), 'd')
  await until(() => stat(dir), s => s === 'down\n', { what: 'stat' })
  t.notOk(alive(program), 'TERM reached the program')
})

t.test('signal letters reach the program; k kills it, and runsv starts a fresh one', async t => {
  const body = 'for s in HUP ALRM INT QUIT USR1 USR2; do trap "echo $s >> ./sigs" $s; done; echo start >> ./sigs; while :; do sleep 0.05; done'
  const dir = service(t, { run: `${CHPST_CMD} -n 1 sh -c '${body}'` })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const sigs = (): string[] => readText(join(dir, 'sigs')).split('\n').filter(Boolean)
  await until(sigs, s => s.includes('start'), { what: 'sigs' })
  const first = await programPid(pidOf(dir), 'sh')
  sendControl(servicePaths(dir), 'haiq12')
  await until(sigs, s => s.length === 7, { what: 'sigs' })
  t.same(sigs().sort(), ['start', 'HUP', 'ALRM', 'INT', 'QUIT', 'USR1', 'USR2'].sort(), 'each once')
  sendControl(servicePaths(dir), 'k')
  await until(() => alive(first), a => !a, { what: 'first program' })
  await until(sigs, s => s.filter(x => x === 'start').length === 2, { what: 'sigs' })
  t.pass('KILL ended the program (not only a relay) and runsv restarted it')
})
