// Where sv looks for a service name (sv(8)): bare names in SVDIR, anything starting with "." or
// "/" or ending in "/" from the current directory; joined as text so ".." stays physical.
import t from 'tap'
import { serviceDir } from '../../build/sv/client.js'

t.test('bare names are looked up in SVDIR', async t => {
  t.equal(serviceDir('svc', '/etc/service', '/home/u'), '/etc/service/svc')
  t.equal(serviceDir('a/b', '/etc/service/', '/home/u'), '/etc/service//a/b')
  t.equal(serviceDir('svc', 'rel', '/home/u'), '/home/u/rel/svc', 'a relative SVDIR is relative to the cwd')
  t.equal(serviceDir('svc', '', '/home/u'), '', 'an empty SVDIR leads nowhere (chdir("") fails)')
})

t.test('".", "/" and a trailing "/" mean the current directory', async t => {
  t.equal(serviceDir('./svc', '/etc/service', '/home/u'), '/home/u/./svc')
  t.equal(serviceDir('../svc', '/etc/service', '/home/u'), '/home/u/../svc')
  t.equal(serviceDir('.hidden', '/etc/service', '/home/u'), '/home/u/.hidden')
  t.equal(serviceDir('/srv/svc', '/etc/service', '/home/u'), '/srv/svc')
  t.equal(serviceDir('svc/', '/etc/service', '/home/u'), '/home/u/svc/')
  t.equal(serviceDir('', '/etc/service', '/home/u'), '', 'the empty name leads nowhere')
})
