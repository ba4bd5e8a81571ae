// supervise/{status,stat,pid} as runsv publishes them and sv reads them (lib/svdir/status-file.ts).
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { servicePaths } from '../../build/svdir/layout.js'
import {
  publishRecord, pidFileText, readStatus, readStat, statusStamp, readStatusStamped
} from '../../build/svdir/status-file.js'
import { encodeStatus } from '../../build/protocol/status.js'
import { formatStat } from '../../build/protocol/stat.js'

function paths (t: Parameters<Parameters<typeof t.test>[1]>[0]) {
  const dir = t.testdir()
  mkdirSync(join(dir, 'supervise'))
  return servicePaths(dir)
}

const running = { when: { sec: 1_700_000_000, nano: 500 }, pid: 4321, paused: false, want: 'up', gotTerm: false, state: 'run' } as const

t.test('a published record reads back; pid, stat and status are written whole, no .new left', async t => {
  const p = paths(t)
  publishRecord(p, { pid: pidFileText(4321), stat: formatStat({ state: 'run', paused: false, gotTerm: false, want: 'up' }), status: encodeStatus(running) })
  t.equal(readFileSync(p.pid, 'latin1'), '4321\n')
  t.equal(readStat(p), 'run\n')
  t.same(readStatus(p), running)
  t.same(readdirSync(p.supervise).sort(), ['pid', 'stat', 'status'])
  publishRecord(p, { stat: 'down\n', status: encodeStatus({ ...running, pid: 0, state: 'down' }) })
  t.equal(readFileSync(p.pid, 'latin1'), '4321\n', 'pid untouched when it did not change')
  t.equal(pidFileText(0), '', 'no process: an empty pid file')
})

t.test('any length but 20 bytes is a bad format; a missing file throws', async t => {
  const p = paths(t)
  for (const n of [0, 18, 21]) {
    writeFileSync(p.status, Buffer.alloc(n))
    t.equal(readStatus(p), 'bad-format', `${n} bytes`)
  }
  t.throws(() => readStatus(servicePaths(join(p.dir, 'nothing'))), { code: 'ENOENT' })
})

t.test('the stamp changes with every publish and names the very file read', async t => {
  const p = paths(t)
  t.equal(statusStamp(p), null, 'no status yet')
  publishRecord(p, { stat: 'run\n', status: encodeStatus(running) })
  const first = statusStamp(p)
  t.type(first, 'string')
  const read = readStatusStamped(p)
  t.equal(read.stamp, first)
  t.same(read.status, running)
  publishRecord(p, { stat: 'run\n', status: encodeStatus(running) })
  t.not(statusStamp(p), first, 'a rename is a new file, even with the same bytes')
})
