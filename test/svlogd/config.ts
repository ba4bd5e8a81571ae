// Parsing <logdir>/config (svlogd(8), CONFIG): every line kind, units, runit's scanning quirks.
import t from 'tap'
import { parseConfig, defaultConfig } from '../../build/svlogd/config.js'

const parse = (text: string): ReturnType<typeof parseConfig> => parseConfig(Buffer.from(text, 'latin1'))

t.test('defaults: s1000000 n10 N10, no t, processor, udp, prefix or patterns', async t => {
  const { config, warnings } = parse('')
  t.same(config, defaultConfig())
  t.equal(config.size, 1000000)
  t.equal(config.num, 10)
  t.equal(config.min, 10)
  t.equal(config.age, 0)
  t.same(warnings, [])
})

t.test('sizes, counts and ages with their units', async t => {
  t.equal(parse('s4096\n').config.size, 4096)
  t.equal(parse('s4k\n').config.size, 4096)
  t.equal(parse('s2m\n').config.size, 2 * 1048576)
  t.equal(parse('s0\n').config.size, 0, 's0: never rotate by size')
  t.equal(parse('sx\n').config.size, 0, 'no digits read as 0, like scan_ulong')
  t.equal(parse('s100junk\n').config.size, 100, 'text after the number is ignored')
  t.equal(parse('n5\n').config.num, 5)
  t.equal(parse('N3\n').config.min, 3)
  t.equal(parse('t30\n').config.age, 30)
  t.equal(parse('t2m\n').config.age, 120)
  t.equal(parse('t1h\n').config.age, 3600)
})

t.test('processor, prefix, patterns', async t => {
  const { config } = parse('!gzip -9\np[web] \n+*error*\n-*debug*\ne*fatal*\nE*quiet*\n')
  t.equal(config.processor, 'gzip -9')
  t.equal(config.prefix.toString(), '[web] ')
  t.same(config.instructions.map(i => i.op + i.pattern.toString()), ['+*error*', '-*debug*', 'e*fatal*', 'E*quiet*'])
  t.equal(parse('!\n').config.processor, null, 'a bare ! is ignored')
  t.equal(parse('p\n').config.prefix.length, 0, 'a bare p is ignored')
  t.same(parse('-\n').config.instructions.map(i => i.op + i.pattern.toString()), ['-'], 'an empty pattern is kept (matches empty lines)')
})

t.test('comments, empty and unknown lines; later lines override earlier ones', async t => {
  const { config } = parse('# s10\n\nzzz\ns10\ns20\n')
  t.equal(config.size, 20)
})

t.test('the last line: processed without a newline when at least 2 bytes long', async t => {
  t.equal(parse('n5\ns77').config.size, 77)
  t.equal(parse('s77\nn').config.num, 10, 'a final 1-byte line is ignored (runit)')
  t.equal(parse('n\n').config.num, 0, '"n" followed by a newline is read (as 0)')
})

t.test('u and U: address, default port 514, warnings in runit wording', async t => {
  let r = parse('u127.0.0.1:5514\n')
  t.same(r.config.udp, { address: '127.0.0.1', port: 5514 })
  t.equal(r.config.udpOnly, false)
  r = parse('U10.1.2.3\n')
  t.same(r.config.udp, { address: '10.1.2.3', port: 514 })
  t.equal(r.config.udpOnly, true)
  r = parse('ulocalhost:514\n')
  t.equal(r.config.udp, null)
  t.same(r.warnings, ['unable to scan ip address: localhost:514'])
  r = parse('u1.2.3.4:0\n')
  t.equal(r.config.udp, null)
  t.same(r.warnings, ['unable to scan port number: 0'])
  r = parse('u1.2.3.4:x\n')
  t.same(r.warnings, ['unable to scan port number: x'])
  r = parse('U1.2.3\n')
  t.equal(r.config.udpOnly, false, 'a bad U line does not make the dir UDP-only (runit did, dropping every line)')
  t.equal(parse('u1.2.3.999\n').config.udp, null, 'octets above 255 are refused')
})
