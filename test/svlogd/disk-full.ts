// A full disk (a 64 KiB tmpfs): svlogd keeps the data and retries, honours N < n by deleting old
// files, and still stops on TERM (svlogd(8), DIFFERENCES FROM RUNIT 2.1.2). Needs root to mount;
// skipped with a reason otherwise.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { mkdirSync, writeFileSync, unlinkSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { logDir, startSvlogd, readAll, rotated, feed } from '../helpers/svlogd.js'
import { until } from '../helpers/until.js'
import { cleanEnv } from '../helpers/clean-env.js'

/**
 * Runs body with a 64 KiB tmpfs mounted in the test's directory, and unmounts it before the test
 * ends (tap removes the directory right after, before teardown handlers would run).
 */
async function withTmpfs (t: Test, body: (mnt: string) => Promise<void>): Promise<void> {
  const mnt = join(t.testdir(), 'mnt')
  mkdirSync(mnt, { recursive: true })
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { env: cleanEnv(), encoding: 'utf8' })
  if (r.status !== 0) {
    t.fail(`mount failed: ${r.stderr}`)
    return
  }
  try {
    await body(mnt)
  } finally {
    spawnSync('umount', ['-l', mnt], { env: cleanEnv() })
  }
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s'], { env: cleanEnv() })
  return probe.status === 0 ? false : 'mount -t tmpfs is not allowed here'
})()

const numbered = (from: number, count: number): string => {
  let out = ''
  for (let i = from; i < from + count; i++) out += `line ${String(i).padStart(6, '0')} ${'d'.repeat(40)}\n`
  return out
}

/** The line numbers in text: must be consecutive and end at last. */
function checkSuffix (t: Test, text: string, last: number): number {
  const nums = text.split('\n').filter(Boolean).map(l => Number(/^line (\d+) d{40}$/.exec(l)?.[1] ?? NaN))
  const first = nums[0] ?? NaN
  t.ok(nums.every((n, i) => n === first + i), 'consecutive numbers, in order, no duplicates, intact lines')
  t.equal(nums[nums.length - 1], last, 'up to the last line sent')
  return first
}

t.test('N < n: old files are deleted to make room, nothing is paused, the newest lines are all there', { skip: canMount }, async t => {
  await withTmpfs(t, async mnt => {
    const dir = logDir(mnt, 's8000\nn50\nN1\n')
    const s = startSvlogd(t, [dir])
    const total = 4000 // ~220 KB through a 64 KiB file system
    for (let i = 0; i < total; i += 200) await feed(s, numbered(i, 200))
    s.child.stdin!.end()
    t.same(await s.exit, [0, null])
    t.match(s.stderr(), /svlogd: warning: out of disk space, delete: .*\/@[0-9a-f]{24}\.s\n/)
    t.notMatch(s.stderr(), 'pausing')
    const first = checkSuffix(t, readAll(dir), total - 1)
    t.ok(first > 0, `the oldest lines went with the deleted files (kept from ${first})`)
    t.ok(rotated(dir).length >= 1, 'at least N files kept')
  })
})

t.test('N = n (default): svlogd pauses and retries, and loses nothing once space is freed', { skip: canMount }, async t => {
  await withTmpfs(t, async mnt => {
    const filler = join(mnt, 'filler')
    writeFileSync(filler, Buffer.alloc(40 * 1024))
    const dir = logDir(mnt, 's0\n')
    const s = startSvlogd(t, [dir])
    const total = 800 // ~43 KB: does not fit next to the filler
    for (let i = 0; i < total; i += 100) await feed(s, numbered(i, 100))
    await until(() => s.stderr(), e => e.includes(`svlogd: pausing: unable to write to current: ${dir}: out of disk space\n`), { what: 'stderr' })
    unlinkSync(filler)
    s.child.stdin!.end()
    // Time is the behaviour: the retry comes 3 s after the pause.
    t.same(await s.exit, [0, null])
    t.equal(checkSuffix(t, readAll(dir), total - 1), 0, 'from the very first line')
  })
})

t.test('TERM during a disk-full pause stops svlogd (runit could only be killed)', { skip: canMount }, async t => {
  await withTmpfs(t, async mnt => {
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(56 * 1024))
    const dir = logDir(mnt, 's0\n')
    const s = startSvlogd(t, [dir])
    const text = numbered(0, 400)
    await feed(s, text)
    await until(() => s.stderr(), e => e.includes('pausing: unable to write to current'), { what: 'stderr' })
    process.kill(s.pid, 'SIGTERM')
    t.same(await s.exit, [0, null])
    t.match(s.stderr(), new RegExp(`svlogd: warning: exiting on sigterm, \\d+ bytes not written: ${dir}\\n`))
    const written = readAll(dir)
    t.ok(written.length > 0 && written.length < text.length && text.startsWith(written), `what fitted was written in order (${written.length} bytes)`)
  })
})
