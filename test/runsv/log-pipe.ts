// The log pipe is held by runsv: no line is lost when ./run or log/run restart.
import t from 'tap'
import { join } from 'node:path'
import { startBin, perProcessOnly } from '../helpers/bin.js'
import { service, readText } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sendControl } from '../../build/svdir/control-fifo.js'
import { servicePaths } from '../../build/svdir/layout.js'

const TOTAL = 100

// Each run prints the next 20 numbers and exits; runsv restarts it (the counter lives in a file).
const WRITER = `n=$(cat ./count 2>/dev/null || echo 0)
i=0
while [ $i -lt 20 ] && [ $n -lt ${TOTAL} ]; do n=$((n+1)); echo "line $n"; echo $n > ./count; i=$((i+1)); done
[ $n -ge ${TOTAL} ] && exec sleep 1000
exit 0`
// The logger takes 7 lines and exits; `read` takes one byte at a time, so it never reads ahead.
const LOGGER = `i=0
while [ $i -lt 7 ] && IFS= read -r line; do printf '%s\\n' "$line" >> ../out; i=$((i+1)); done
exit 0`

t.test('every line reaches the logger across restarts of run and of log/run', async t => {
  const dir = service(t, { run: WRITER, log: LOGGER })
  startBin(t, 'runsv', [dir], { services: [dir] })
  const got = await until(() => readText(join(dir, 'out')).split('\n').filter(Boolean), l => l.length >= TOTAL,
    { what: 'logged lines', timeout: 90_000, interval: 200 })
  t.same(got, Array.from({ length: TOTAL }, (_, i) => `line ${i + 1}`), 'each line once, in order')
})

t.test('exit: the logger gets EOF after the service stops, then runsv exits 0', perProcessOnly, async t => {
  const dir = service(t, { run: 'echo first; exec sleep 1000', log: 'exec cat > ../out' })
  const runsv = startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => readText(join(dir, 'out')), s => s === 'first\n', { what: 'out' })
  // cat may pass the line on before runsv has written the logger's pid down
  await until(() => readText(join(dir, 'log', 'supervise', 'pid')), s => s.length > 0, { what: 'log pid' })
  sendControl(servicePaths(dir), 'x')
  t.same(await runsv.exit, [0, null])
  t.equal(readText(join(dir, 'log', 'supervise', 'stat')), 'down\n')
})

t.test('log/supervise/pid exists from the start, even with log/down', async t => {
  const dir = service(t, { run: 'exec sleep 1000', log: 'exec cat', logDown: true })
  startBin(t, 'runsv', [dir], { services: [dir] })
  await until(() => readText(join(dir, 'log', 'supervise', 'stat')), s => s === 'down\n', { what: 'log stat' })
  await until(() => readText(join(dir, 'supervise', 'stat')), s => s === 'run\n', { what: 'stat' })
  t.equal(readText(join(dir, 'log', 'supervise', 'pid')), '', 'empty pid file')
  sendControl(servicePaths(join(dir, 'log')), 'u')
  await until(() => readText(join(dir, 'log', 'supervise', 'stat')), s => s === 'run\n', { what: 'log stat' })
})
