// svhttpd's /metrics against real services, read by a Prometheus text-format parser; its bad
// requests (svhttpd(8)).
import t from 'tap'
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { runsv } from '../helpers/sv.js'
import { serviceIn, stat } from '../helpers/svdir.js'
import { until } from '../helpers/until.js'
import { startSvhttpd, request, webWithLog } from '../helpers/svhttpd.js'
import { FAMILIES } from '../../build/svhttpd/metrics.js'

// parse-prometheus-text-format is a port of Prometheus' own Go text parser (expfmt.TextParser, via
// prom2json): it throws on what Prometheus would refuse (a bad TYPE, a sample before its HELP
// family, a malformed label or value), which a hand-written reader of our own output would not.
interface Sample { value: string, labels?: Record<string, string> }
interface Family { name: string, help: string, type: string, metrics: Sample[] }
const parse = parsePrometheusTextFormat as (text: string) => Family[]

type Samples = Record<string, Record<string, number>>

/** family → service → value */
function samples (families: Family[]): Samples {
  return Object.fromEntries(families.map(f => [f.name, Object.fromEntries(f.metrics.map(m => [m.labels?.service ?? '', Number(m.value)]))]))
}

t.test('/metrics: every family, the facts of real services', async t => {
  const base = t.testdir()
  const svdir = join(base, 'service')
  mkdirSync(svdir)
  const web = webWithLog(base, svdir)
  const idle = serviceIn(svdir, { name: 'idle', run: 'exec sleep 1000', down: true })
  const crashy = serviceIn(svdir, { name: 'crashy', run: 'exit 3' })
  serviceIn(svdir, { name: 'unsupervised', run: 'exec sleep 1000' })
  for (const d of [web, idle, crashy]) runsv(t, 'ours', d)
  await until(() => stat(web), s => s === 'run\n', { what: 'web' })
  await until(() => stat(idle), s => s.startsWith('down'), { what: 'idle' })
  const { url } = await startSvhttpd(t, svdir)

  const read = async (): Promise<{ families: Family[], s: Samples }> => {
    const r = await request(url + 'metrics')
    t.equal(r.status, 200)
    const families = parse(r.body)
    return { families, s: samples(families) }
  }
  const { families, s } = await until(read, x => (x.s.runit_service_restarts_total?.crashy ?? 0) >= 1 &&
    x.s.runit_service_up?.['web/log'] === 1, { what: 'metrics', timeout: 15000 })
  t.same(families.map(f => f.name), FAMILIES.map(f => f.name), 'every family declared, in order, even without samples')
  for (const f of families) t.ok(f.help.length > 0 && ['GAUGE', 'COUNTER'].includes(f.type), `${f.name}: HELP and TYPE`)
  t.same(s.runit_service_supervised, { crashy: 1, idle: 1, unsupervised: 0, web: 1, 'web/log': 1 })
  t.equal(s.runit_service_up!.web, 1)
  t.equal(s.runit_service_up!.idle, 0)
  t.notOk('unsupervised' in s.runit_service_up!, 'nothing known, no sample')
  t.same([s.runit_service_want_up!.web, s.runit_service_want_up!.idle], [1, 0])
  t.same([s.runit_service_normally_up!.web, s.runit_service_normally_up!.idle], [1, 0])
  t.equal(s.runit_service_last_exit_code!.crashy, 3, 'from supervise/deaths')
  t.equal(s.runit_service_last_exit_signal!.crashy, 0)
  t.ok(s.runit_service_last_exit_time_seconds!.crashy! > 1e9)
  t.notOk('web' in s.runit_service_last_exit_code!, 'web has not died')
  t.ok(s.runit_service_uptime_seconds!.web! >= 0 && s.runit_service_uptime_seconds!.idle === 0)
  t.ok(s.runit_service_memory_bytes!.web! > 0 && s.runit_service_cpu_seconds_total!.web! >= 0, 'memory and CPU of a running service')
})

t.test('bad requests get 4xx and change nothing; read-only without a token file', async t => {
  const svdir = t.testdir()
  const web = serviceIn(svdir, { name: 'web', run: 'exec sleep 1000' })
  runsv(t, 'ours', web)
  await until(() => stat(web), s => s === 'run\n', { what: 'web' })
  const { url, port } = await startSvhttpd(t, svdir)
  const page = await request(url)
  t.equal(page.status, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<tr class="state-run" data-service="web"><td>web<\/td><td>run<\/td>/)
  t.notMatch(page.body, /<form|<button/, 'read-only: no controls')
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/)
  const m = await request(url + 'metrics')
  t.equal(m.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')

  t.equal((await request(url + 'nosuch')).status, 404)
  const del = await request(url + 'metrics', { method: 'DELETE' })
  t.same([del.status, del.headers.allow], [405, 'GET, HEAD'])
  const head = await request(url + 'metrics', { method: 'HEAD' })
  t.same([head.status, head.body, head.headers['content-type']], [200, '', 'text/plain; version=0.0.4; charset=utf-8'], 'HEAD as GET, no body')
  t.equal((await request(url + 'control', { form: { service: 'web', command: 'down' } })).status, 403, 'control is off')
  t.equal((await request(url + 'control', { form: { service: 'web', command: 'down' }, headers: { Authorization: 'Bearer x' } })).status, 403)
  t.equal((await request(url + 'login')).status, 403, 'no login without a token file')
  const rebound = await request(url + 'metrics', { headers: { Host: `evil.example:${port}` } })
  t.equal(rebound.status, 421, 'a non-loopback Host (DNS rebinding) is refused')
  t.equal((await request(url, { headers: { Host: `localhost:${port}` } })).status, 200)
  t.equal(stat(web), 'run\n', 'web untouched')
})
