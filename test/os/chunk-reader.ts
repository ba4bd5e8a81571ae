// The chunk reader svlogd uses on its stdin: pipes, files, and stop()'s drain of waiting bytes.
import t from 'tap'
import { join } from 'node:path'
import { writeSync, closeSync, openSync, writeFileSync } from 'node:fs'
import { makePipe } from '../../build/os/pipe.js'
import { readChunks } from '../../build/os/chunk-reader.js'

t.test('stop() returns what a pipe holds though no chunk was delivered yet, and sees EOF', async t => {
  const p = makePipe(join(t.testdir(), 'fifo'))
  const text = 'x'.repeat(50_000) + '\nlast'
  writeSync(p.writeFd, text)
  closeSync(p.writeFd)
  const seen: Buffer[] = []
  const reader = readChunks(p.readFd, 65536, { data: (b) => { seen.push(b) }, end: () => {} })
  // Synchronously, before the event loop ran: nothing delivered, everything drained by stop().
  const drained = await reader.stop(1 << 20)
  t.same(seen, [])
  t.equal(Buffer.concat(drained.chunks).toString(), text)
  t.equal(drained.eof, true)
})

t.test('stop() on a pipe whose writer is still open returns at once with what is there', async t => {
  const p = makePipe(join(t.testdir(), 'fifo'))
  writeSync(p.writeFd, 'waiting\n')
  const reader = readChunks(p.readFd, 65536, { data: () => {}, end: () => {} })
  const drained = await reader.stop(1 << 20)
  t.equal(Buffer.concat(drained.chunks).toString(), 'waiting\n')
  t.equal(drained.eof, false)
  closeSync(p.writeFd)
})

t.test('chunks and end from a pipe; pause and resume', async t => {
  const p = makePipe(join(t.testdir(), 'fifo'))
  const seen: Buffer[] = []
  const ended = new Promise<Error | null>(resolve => {
    const data = (b: Buffer): void => { seen.push(b); reader.pause(); setImmediate(() => { reader.resume() }) }
    const reader = readChunks(p.readFd, 65536, { data, end: resolve })
  })
  for (let i = 0; i < 100; i++) writeSync(p.writeFd, `line ${i}\n`)
  closeSync(p.writeFd)
  t.equal(await ended, null)
  t.equal(Buffer.concat(seen).toString(), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''))
})

t.test('a regular file is read in chunks of the asked size; stop() reads on to the cap', async t => {
  const file = join(t.testdir(), 'input')
  writeFileSync(file, 'a'.repeat(10_000))
  const fd = openSync(file, 'r')
  const sizes: number[] = []
  await new Promise<void>(resolve => {
    readChunks(fd, 4096, { data: (b) => { sizes.push(b.length) }, end: () => { resolve() } })
  })
  t.same(sizes, [4096, 4096, 1808])
  closeSync(fd)
  const fd2 = openSync(file, 'r')
  const r2 = readChunks(fd2, 4096, { data: () => {}, end: () => {} })
  const drained = await r2.stop(6000)
  t.equal(Buffer.concat(drained.chunks).length, 6000, 'capped')
  closeSync(fd2)
})
