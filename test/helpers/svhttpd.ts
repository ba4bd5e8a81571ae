// Starts svhttpd on a free port of 127.0.0.1 for a test, and speaks raw HTTP to it (node:http, so
// a test may send any Host, Origin or Cookie header, which fetch() forbids).

import { request as httpRequest } from 'node:http'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { startBin, BIN, type Started } from './bin.js'
import { cleanEnv } from './clean-env.js'
import { serviceIn, shq } from './svdir.js'
import { until } from './until.js'

interface Tap { teardown: (fn: () => unknown) => void }

/** base/bin/svlogd, a link to our svlogd: sv log finds log directories after a word named svlogd. */
export function svlogdLink (base: string): string {
  mkdirSync(join(base, 'bin'))
  symlinkSync(join(BIN, 'svlogd.js'), join(base, 'bin', 'svlogd'))
  return join(base, 'bin', 'svlogd')
}

/** svdir/web: prints "web says hello", then sleeps; its log/run is our svlogd -tt into log/main
 * (base/bin holds the svlogd link). */
export function webWithLog (base: string, svdir: string): string {
  const svlogd = shq(svlogdLink(base))
  const web = serviceIn(svdir, { name: 'web', run: 'echo web says hello\nexec sleep 1000', log: `exec ${svlogd} -tt main` })
  mkdirSync(join(web, 'log', 'main'))
  return web
}

export interface Httpd { started: Started, url: string, port: number }

/** svhttpd -p 0 [args] on SVDIR=svdir; resolves once it says where it listens. */
export async function startSvhttpd (t: Tap, svdir: string, args: string[] = []): Promise<Httpd> {
  const started = startBin(t, 'svhttpd', ['-p', '0', ...args], { env: cleanEnv({ SVDIR: svdir }) })
  const line = await until(() => /listening on (http:\/\/[^ \n]+)/.exec(started.stderr()), m => m !== null,
    { what: 'svhttpd\'s listening line', timeout: 10000 })
  const url = line![1]!
  return { started, url, port: Number(new URL(url).port) }
}

export interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

export interface Req { method?: string, headers?: Record<string, string>, form?: Record<string, string> }

/** One request; body given as fields is sent as a form. */
export async function request (url: string, opts: Req = {}): Promise<Answer> {
  const body = opts.form === undefined ? undefined : new URLSearchParams(opts.form).toString()
  const headers: Record<string, string> = { ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }), ...opts.headers }
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.setTimeout(30000, () => req.destroy(new Error('no answer in 30 s')))
    req.end(body)
  })
}
