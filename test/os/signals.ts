// Signal names as the stop policy's down-signal file may give them.
import t from 'tap'
import { parseSignal } from '../../build/os/signals.js'

t.test('parseSignal: names with or without SIG, any case, numbers; null for the rest', async t => {
  t.equal(parseSignal('TERM'), 'SIGTERM')
  t.equal(parseSignal('sigquit\n'), 'SIGQUIT', 'case and surrounding space')
  t.equal(parseSignal(' Hup '), 'SIGHUP')
  t.equal(parseSignal('9'), 'SIGKILL')
  t.equal(parseSignal('15\n'), 'SIGTERM')
  for (const bad of ['', 'NOSUCH', 'SIG', '999', '-1', '1.5', 'TERM INT']) t.equal(parseSignal(bad), null, JSON.stringify(bad))
})
