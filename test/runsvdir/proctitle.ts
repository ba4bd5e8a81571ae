import t from 'tap'
import { scroll, render, KEEP } from '../../build/runsvdir/proctitle.js'

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

t.test('bytes enter at the end; the first five never move', async t => {
  t.equal(KEEP, 5)
  t.equal(scroll(b('log: ......'), b('ab')).toString('latin1'), 'log: ....ab')
  t.equal(scroll(b('log: ......'), b('abcdefghij')).toString('latin1'), 'log: efghij', 'only the newest fit')
})

t.test('scrolling byte by byte equals scrolling a chunk (runit moves one byte at a time)', async t => {
  let one = b('log: xxxxxxxxxx')
  for (const c of 'runsv a: fatal: x\n') one = scroll(one, b(c))
  t.equal(one.toString('latin1'), scroll(b('log: xxxxxxxxxx'), b('runsv a: fatal: x\n')).toString('latin1'))
})

t.test('NUL bytes are dropped, newlines kept', async t => {
  t.equal(scroll(b('log: ....'), b('a\0\nb')).toString('latin1'), 'log: .a\nb', 'three bytes in, one dot left')
})

t.test('nothing new, same window', async t => {
  const w = b('log: ....')
  t.equal(scroll(w, b('')), w)
  t.equal(scroll(w, b('\0')), w)
})

t.test('a window no longer than KEEP never changes', async t => {
  t.equal(scroll(b('log: '), b('abc')).toString('latin1'), 'log: ')
})

t.test('render: runit\'s argv with the log argument replaced by the window, bytes as they are', async t => {
  const argv = ['runsvdir', '-P', '/srv', 'log: ..', 'extra']
  t.same(render(argv, 3, b('log: ab')), ['runsvdir', '-P', '/srv', b('log: ab'), 'extra'])
  const shown = render(['runsvdir', '/srv', 'log: ...'], 2, b('log: \xe9\n\xff'))
  t.equal((shown[2] as Buffer).toString('hex'), b('log: \xe9\n\xff').toString('hex'), 'non-ASCII and newline kept')
})
