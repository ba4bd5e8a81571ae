// sv's command table: every word and abbreviation runit accepts, the LSB restrictions, and the
// facts the wait loop derives from the letters.
import t from 'tap'
import { lookupCommand, publishes, wantAfter } from '../../build/sv/commands.js'

const brief = (word: string, lsb = false): string => {
  const c = lookupCommand(word, lsb)
  if (c === null) return 'usage'
  return `${c.action}:${c.letters}:${c.expect.join('')}:${c.wait ? 'wait' : '-'}:${c.killOnTimeout ? 'kill' : '-'}`
}

t.test('the documented commands and their one-letter abbreviations', async t => {
  const table: Array<[string[], string]> = [
    [['status', 's', 'stat', 'sxyz'], 'status:::-:-'],
    [['up', 'u', 'uxyz'], 'control:u:u:-:-'],
    [['down', 'd'], 'control:d:d:-:-'],
    [['once', 'o'], 'control:o:o:-:-'],
    [['pause', 'p'], 'control:p:p:-:-'],
    [['cont', 'c', 'continue'], 'control:c:c:-:-'],
    [['hup', 'h'], 'control:h:h:-:-'],
    [['alarm', 'a'], 'control:a:a:-:-'],
    [['interrupt', 'i'], 'control:i:i:-:-'],
    [['quit', 'q'], 'control:q:q:-:-'],
    [['1', '1st'], 'control:1:1:-:-'],
    [['2', '2nd'], 'control:2:2:-:-'],
    [['term', 't', 'try'], 'control:t:t:-:-'],
    [['kill', 'k'], 'control:k:k:-:-'],
    [['exit', 'x', 'e', 'end'], 'control:x:x:-:-']
  ]
  for (const [words, want] of table) {
    for (const w of words) t.equal(brief(w), want, w)
  }
})

t.test('the LSB words are compared exactly and always wait', async t => {
  t.equal(brief('start'), 'control:u:u:wait:-')
  t.equal(brief('stop'), 'control:d:d:wait:-')
  t.equal(brief('restart'), 'control:tcu:tcu:wait:-')
  t.equal(brief('reload'), 'control:h:h:wait:-')
  t.equal(brief('shutdown'), 'control:x:x:wait:-')
  t.equal(brief('try-restart'), 'control:tc:tc:wait:-')
  t.equal(brief('force-stop'), 'control:d:d:wait:kill')
  t.equal(brief('force-reload'), 'control:tc:tc:wait:kill')
  t.equal(brief('force-restart'), 'control:tcu:tcu:wait:kill')
  t.equal(brief('force-shutdown'), 'control:x:x:wait:kill')
  t.equal(brief('check'), 'check::C:wait:-')
  // Near misses fall back to the first letter, or are usage errors for r and f.
  t.equal(brief('starting'), 'status:::-:-')
  t.equal(brief('checks'), 'control:c:c:-:-')
  t.equal(brief('try-restarts'), 'control:t:t:-:-')
  t.equal(brief('restarts'), 'usage')
  t.equal(brief('r'), 'usage')
  t.equal(brief('force'), 'usage')
  t.equal(brief('f'), 'usage')
})

t.test('runit\'s undocumented kill-on-timeout capitals', async t => {
  t.equal(brief('X'), 'control:x:x:wait:kill')
  t.equal(brief('Exit'), 'control:x:x:wait:kill')
  t.equal(brief('D'), 'control:d:d:wait:kill')
  t.equal(brief('T'), 'control:tc:tc:wait:kill')
})

t.test('anything else is a usage error', async t => {
  for (const w of ['', 'bogus', 'U', 'S', '3', '-v', 'Status']) t.equal(brief(w), 'usage', JSON.stringify(w))
})

t.test('LSB mode: of the s-words only start, stop, shutdown and status', async t => {
  t.equal(brief('status', true), 'status:::-:-')
  t.equal(brief('start', true), 'control:u:u:wait:-')
  t.equal(brief('stop', true), 'control:d:d:wait:-')
  t.equal(brief('shutdown', true), 'control:x:x:wait:-')
  t.equal(brief('s', true), 'usage')
  t.equal(brief('stat', true), 'usage')
  // everything else works as in normal mode
  t.equal(brief('up', true), 'control:u:u:-:-')
  t.equal(brief('reload', true), 'control:h:h:wait:-')
  t.equal(brief('try-restart', true), 'control:tc:tc:wait:-')
  t.equal(brief('check', true), 'check::C:wait:-')
})

t.test('which letters make runsv publish, and the want they leave', async t => {
  for (const l of ['u', 'd', 'o', 'x', 'p', 'c', 'tc', 'tcu']) t.ok(publishes(l), l)
  for (const l of ['t', 'k', 'h', 'a', 'i', 'q', '1', '2', '']) t.notOk(publishes(l), l)
  t.equal(wantAfter('u'), 'up')
  t.equal(wantAfter('tcu'), 'up')
  t.equal(wantAfter('d'), 'down')
  t.equal(wantAfter('o'), 'down')
  t.equal(wantAfter('x'), null)
  t.equal(wantAfter('tc'), null)
})

t.test('runs: matched whole, so no runit word changes meaning', async t => {
  t.equal(lookupCommand('runs', false)?.action, 'runs')
  t.equal(lookupCommand('runs', true)?.action, 'runs')
  t.equal(lookupCommand('r', false), null, 'r alone is still a usage error')
  t.equal(lookupCommand('running', false), null)
  t.equal(lookupCommand('deaths', false)?.letters, 'd', 'deaths stays runit\'s down')
})
