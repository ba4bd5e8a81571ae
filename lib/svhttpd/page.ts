// svhttpd's HTML: the status page (sv list's table, each service's last log lines, control
// buttons for a logged-in client) and the login form. Pure: facts in, text out.

import { cells, TABLE_HEADER, type Overview, type ServiceFacts } from '../sv/overview.js'

/** The words a control button may send (svhttpd(8)); each is sv's command of that name. */
export const CONTROL_WORDS = ['up', 'down', 'restart'] as const
export type ControlWord = typeof CONTROL_WORDS[number]

export interface PageInput {
  overview: Overview
  /** last log lines of each service by name (empty when it has none) */
  logs: ReadonlyMap<string, readonly string[]>
  /** seconds between reloads */
  refreshSec: number
  /** 'off': no token file; 'login': a token file, the client has not shown it; else the CSRF
   * token the buttons' forms carry */
  control: { kind: 'off' } | { kind: 'login' } | { kind: 'on', csrf: string }
  /** the outcome of the last control request of this client, shown once */
  notice?: string
}

/** Text for an HTML text node or a quoted attribute value. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd;white-space:nowrap}
th{background:#f4f4f4}.state-run td:nth-child(2){color:#070}.state-down td:nth-child(2){color:#b00}
.state-finish td:nth-child(2){color:#a60}.error td:last-child{color:#b00}
pre{background:#f8f8f8;padding:.5em;overflow-x:auto;max-height:20em}form{display:inline;margin:0}button{margin-right:.3em}
.notice{background:#ffd;padding:.4em;border:1px solid #cc8}`

function row (f: ServiceFacts, control: PageInput['control'], isLog: boolean): string {
  const cls = [f.state === null ? 'state-unknown' : `state-${f.state}`, ...(f.error === null ? [] : ['error'])].join(' ')
  const tds = cells(f).map(c => `<td>${escapeHtml(c)}</td>`).join('')
  let buttons = ''
  if (control.kind === 'on' && !isLog) {
    buttons = `<form method="post" action="/control"><input type="hidden" name="csrf" value="${escapeHtml(control.csrf)}">` +
      `<input type="hidden" name="service" value="${escapeHtml(f.name)}">` +
      CONTROL_WORDS.map(w => `<button type="submit" name="command" value="${w}">${w}</button>`).join('') + '</form>'
  }
  const actions = control.kind === 'on' ? `<td>${buttons}</td>` : ''
  return `<tr class="${cls}" data-service="${escapeHtml(f.name)}">${tds}${actions}</tr>`
}

/** The status page. */
export function statusPage (p: PageInput): string {
  const { overview: o, control } = p
  const head = TABLE_HEADER.map(h => `<th>${h}</th>`).join('') + (control.kind === 'on' ? '<th>CONTROL</th>' : '')
  const rows = o.services.flatMap(s => [row(s, control, false), ...(s.log === null ? [] : [row(s.log, control, true)])])
  const logs = o.services.map(s => {
    const lines = p.logs.get(s.name) ?? []
    return `<section class="log" data-service="${escapeHtml(s.name)}"><h2>${escapeHtml(s.name)}</h2>` +
      (lines.length === 0 ? '<p>no log lines</p>' : `<pre>${escapeHtml(lines.join('\n'))}</pre>`) + '</section>'
  }).join('\n')
  const login = control.kind === 'login' ? '<p><a href="/login">Log in</a> to control the services.</p>' : ''
  const notice = p.notice === undefined ? '' : `<pre class="notice" id="notice">${escapeHtml(p.notice)}</pre>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${p.refreshSec}">
<title>services: ${escapeHtml(o.svdir)}</title><style>${STYLE}</style></head>
<body><h1>services of ${escapeHtml(o.svdir)}</h1>
${notice}${login}<table id="services"><thead><tr>${head}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p>as of ${new Date(o.time * 1000).toISOString()}, reloaded every ${p.refreshSec} s; <a href="/metrics">metrics</a></p>
${logs}
</body></html>
`
}

/** The login form: the token, posted once, buys a session cookie. */
export function loginPage (failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>log in</title><style>${STYLE}</style></head>
<body><h1>log in</h1>${failed ? '<p class="notice">wrong token</p>' : ''}
<form method="post" action="/login"><label>token <input type="password" name="token" autocomplete="current-password"></label>
<button type="submit">log in</button></form></body></html>
`
}
