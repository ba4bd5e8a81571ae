// svhttpd's output from hand-made facts: names that need escaping come back intact from the
// Prometheus parser and cannot inject markup into the page.
import t from 'tap'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { metricsText, labelValue } from '../../build/svhttpd/metrics.js'
import { statusPage, escapeHtml } from '../../build/svhttpd/page.js'
import type { Overview, ServiceEntry } from '../../build/sv/overview.js'

interface Family { name: string, metrics: Array<{ value: string, labels?: Record<string, string> }> }
const parse = parsePrometheusTextFormat as (text: string) => Family[]

const NASTY = 'a"b\\c\n<script>alert(1)</script>&\''

function entry (name: string): ServiceEntry {
  return {
    name, dir: `/s/${name}`, error: null, state: 'run', pid: 5, since: 90, seconds: 10, paused: false, want: 'up',
    gotTerm: false, normallyUp: true, ready: true, restarts: 2, lastExit: { code: -1, signal: 9, at: 80 },
    cpuSeconds: 1.5, rssBytes: 2048, cgroup: null, flags: [], log: null
  }
}
const o: Overview = { version: 1, svdir: '/s<i>', time: 100, services: [entry(NASTY), entry('plain')] }

t.test('label values escaped, read back intact', async t => {
  t.equal(labelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd')
  const fams = parse(metricsText(o))
  const up = fams.find(f => f.name === 'runit_service_up')!
  t.same(up.metrics.map(m => m.labels?.service), [NASTY, 'plain'])
  const exit = fams.find(f => f.name === 'runit_service_last_exit_code')!
  t.same(exit.metrics.map(m => Number(m.value)), [-1, -1], 'a signal: -1')
  t.same(fams.find(f => f.name === 'runit_service_last_exit_signal')!.metrics.map(m => Number(m.value)), [9, 9])
  t.same(fams.find(f => f.name === 'runit_service_ready')!.metrics.map(m => Number(m.value)), [1, 1])
})

t.test('the page escapes names, directory, log lines and the CSRF token', async t => {
  t.equal(escapeHtml('<a href="x">\'&'), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;')
  const html = statusPage({
    overview: o,
    logs: new Map([[NASTY, ['<img src=x onerror=alert(1)>']]]),
    refreshSec: 5,
    control: { kind: 'on', csrf: '"><b>' }
  })
  t.notMatch(html, /<script>|<img|<i>|"><b>/, 'no markup from the facts')
  t.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/)
  t.match(html, /<input type="hidden" name="csrf" value="&#34;&#62;&#60;b&#62;">/)
  t.equal([...html.matchAll(/<button /g)].length, 6, 'three buttons a service')
  const ro = statusPage({ overview: o, logs: new Map(), refreshSec: 5, control: { kind: 'off' } })
  t.notMatch(ro, /<form|<button|login/i, 'read-only: no form, no login link')
  t.match(statusPage({ overview: o, logs: new Map(), refreshSec: 5, control: { kind: 'login' } }), /<a href="\/login">/)
})
