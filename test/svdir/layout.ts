// Paths inside a service directory (lib/svdir/layout.ts): absolute, runit's names, no chdir.
import t from 'tap'
import { servicePaths } from '../../build/svdir/layout.js'

t.test('every path is absolute and under the service directory, with runit\'s names', async t => {
  const p = servicePaths('web', '/etc/service')
  t.equal(p.dir, '/etc/service/web')
  t.same([p.run, p.finish, p.down, p.check, p.log], ['run', 'finish', 'down', 'check', 'log'].map(f => `/etc/service/web/${f}`))
  t.same([p.downSignal, p.timeoutKill, p.timeoutFinish, p.notificationFd],
    ['down-signal', 'timeout-kill', 'timeout-finish', 'notification-fd'].map(f => `/etc/service/web/${f}`), "s6's names")
  t.same([p.restartBackoff, p.respawnLimit, p.normalExit, p.maxDeathTally],
    ['restart-backoff', 'respawn-limit', 'normal-exit', 'max-death-tally'].map(f => `/etc/service/web/${f}`), 'the restart policy')
  t.same([p.reason, p.deaths], ['reason', 'deaths'].map(f => `/etc/service/web/supervise/${f}`))
  t.equal(p.supervise, '/etc/service/web/supervise')
  t.same([p.control, p.ok, p.lock, p.status, p.stat, p.pid, p.ready],
    ['control', 'ok', 'lock', 'status', 'stat', 'pid', 'ready'].map(f => `/etc/service/web/supervise/${f}`))
  t.equal(p.hook('t'), '/etc/service/web/control/t')
  t.equal(p.tmp(p.stat), '/etc/service/web/supervise/stat.new', 'what is renamed over a published file')
})

t.test('an absolute directory ignores cwd; a log service is a service directory of its own', async t => {
  t.equal(servicePaths('/srv/x', '/elsewhere').dir, '/srv/x')
  t.equal(servicePaths('/srv/x/log').status, '/srv/x/log/supervise/status')
  t.equal(servicePaths('a/../b', '/s').dir, '/s/b')
})
