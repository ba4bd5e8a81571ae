// sv/log.ts's tailOfFile: the last lines read from a file's end agree with reading it whole, at
// every size around its 64 KiB step and with or without a last newline.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tailOfFile } from '../../build/sv/log.js'

/** What reading the whole file gives. */
function naive (text: string, n: number): string[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return n <= 0 ? [] : lines.slice(-n)
}

t.test('agrees with reading the whole file', async t => {
  const dir = t.testdir()
  const file = join(dir, 'current')
  const STEP = 64 * 1024
  let seed = 7
  const rnd = (k: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k }
  const cases: string[] = ['', '\n', 'one', 'one\n', '\n\n\n', 'a\nb', 'a\nb\n']
  for (const size of [STEP - 1, STEP, STEP + 1, 2 * STEP + 3, 5 * STEP]) {
    let s = ''
    while (s.length < size) s += 'x'.repeat(rnd(200)) + '\n'
    cases.push(s.slice(0, size), s.slice(0, size - 1) + '\n', 'y'.repeat(size) + '\nlast')
  }
  for (const [i, text] of cases.entries()) {
    writeFileSync(file, text, 'latin1')
    for (const n of [0, 1, 2, 5, 700, 100000]) t.same(tailOfFile(file, n), naive(text, n), `case ${i} (${text.length} bytes), n=${n}`)
  }
})
