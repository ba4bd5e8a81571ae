// runsv where util-linux's helpers are missing (a busybox-like image): in a private mount
// namespace flock, mkfifo, prlimit, setsid, setpriv and perl are hidden under /dev/null. The lock
// and the FIFOs then go through the FFI, and the service runs and obeys as anywhere.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startBin, BIN, ONE_PROCESS } from '../helpers/bin.js'
import { service, stat, shq } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { sv } from '../helpers/sv.js'
import { isRoot } from '../helpers/chpst.js'

const HIDDEN = ['flock', 'mkfifo', 'prlimit', 'setsid', 'setpriv', 'perl']

const skip = !isRoot
  ? 'needs root for a mount namespace'
  : spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status !== 0
    ? 'unshare --mount does not work here'
    : ONE_PROCESS ? 'runs runsv itself' : false

t.test('runsv without flock(1), mkfifo(1) and the other helpers', { skip }, async t => {
  const dir = service(t, { run: 'echo started >> ./runs; exec sleep 1000', log: 'exec cat >/dev/null' })
  const hide = HIDDEN.map(n => `p=$(command -v ${n}) && mount --bind /dev/null "$(readlink -f "$p")"`).join('; ')
  const runsv = startBin(t, 'runsv', ['--mount', '--propagation', 'private', 'sh', '-c',
    `${hide}; if flock -h >/dev/null 2>&1 || mkfifo -h >/dev/null 2>&1; then echo helpers-visible >&2; exit 9; fi; exec ${shq(join(BIN, 'runsv.js'))} "$0"`, dir],
  { exe: 'unshare', services: [dir] })
  await until(() => stat(dir), s => s === 'run\n', { what: 'run', timeout: 15_000 })
  await until(() => stat(join(dir, 'log')), s => s === 'run\n', { what: 'log run' })
  t.notMatch(runsv.stderr(), /helpers-visible/)
  t.ok(readFileSync(`/proc/${runsv.pid}/maps`, 'utf8').includes('koffi'), 'the FFI did the lock and the FIFOs')
  t.match((await sv('ours', ['-w', '5', 'down', dir])).stdout, /^ok: down: /, 'sv down through the FIFO it made')
  t.match((await sv('ours', ['status', dir])).stdout, /^down: .*; run: log: /)
  const second = startBin(t, 'runsv', [dir])
  const [code] = await second.exit
  t.equal(code, 111, 'a second runsv finds the lock taken through the FFI')
})
