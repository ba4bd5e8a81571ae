// svhttpd's HTTP side (svhttpd(8)): GET / (the status page), GET /metrics, and, with a token,
// GET|POST /login and POST /control. Every answer is computed from sv list's facts at request
// time; control goes through sv's own library (sv/client.ts), never a shell.

import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { overview, servicesIn } from '../sv/overview.js'
import { serviceLogDirs, tailServices } from '../sv/log.js'
import { resolveService } from '../sv/client.js'
import { runCaptured } from '../sv/captured.js'
import { lookupCommand } from '../sv/commands.js'
import { metricsText, METRICS_TYPE } from './metrics.js'
import { reason } from '../errors/reason.js'
import { statusPage, loginPage, CONTROL_WORDS, type ControlWord } from './page.js'

export interface ServerOptions {
  svdir: string
  cwd: string
  /** environment of ./check scripts run by the control waits */
  env: NodeJS.ProcessEnv
  /** the control token (the token file's first line), or null: read-only */
  token: string | null
  /** log lines per service on the page */
  logLines: number
  /** seconds between the page's reloads */
  refreshSec: number
  /** seconds a control request waits, as sv -w */
  waitSec: number
  /** the listening address is a loopback one: only loopback Host headers are served */
  loopback: boolean
}

/** A logged-in browser: its CSRF token and the outcome of its last control request. */
interface Session { csrf: string, notice?: string }

const COOKIE = 'svhttpd_session'
/** Bodies are a few short form fields; anything longer is refused. */
const MAX_BODY = 4096
/** Logged-in sessions kept; the oldest goes first (each login makes one). */
const MAX_SESSIONS = 64
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Headers on every answer: no framing (clickjacking), no scripts, forms only to ourselves. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with our own forms
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store'
} as const

class HttpError extends Error {
  constructor (readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
/** Constant-time comparison of two secrets of any length. */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

function cookieOf (req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return null
}

async function formBody (req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'form data (application/x-www-form-urlencoded) only')
  let size = 0
  const chunks: Buffer[] = []
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
    chunks.push(c)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

export class SvHttpd {
  readonly server: Server
  private readonly sessions = new Map<string, Session>()

  constructor (private readonly opts: ServerOptions) {
    this.server = createServer((req, res) => { void this.handle(req, res) })
  }

  /** Listens; resolves with the address actually bound (port 0 picks one). */
  async listen (host: string, port: number): Promise<AddressInfo> {
    return await new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  /** Stops listening and ends idle connections; resolves when the server is closed. */
  async close (): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeIdleConnections()
    })
  }

  private send (res: ServerResponse, status: number, type: string, body: string,
    headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers })
    res.end(res.req.method === 'HEAD' ? '' : body)
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.checkHost(req)
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const route = ROUTES[path]
      if (route === undefined) throw new HttpError(404, 'not found')
      const method = req.method === 'HEAD' ? 'GET' : req.method ?? ''
      const fn = route[method]
      if (fn === undefined) {
        const allow = Object.keys(route).flatMap(m => m === 'GET' ? ['GET', 'HEAD'] : [m]).join(', ')
        throw new HttpError(405, 'method not allowed', { Allow: allow })
      }
      await fn.call(this, req, res)
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, `internal error: ${String(err)}`)
      if (!res.headersSent) this.send(res, e.status, 'text/plain; charset=utf-8', e.message + '\n', e.headers)
      else res.destroy()
    }
  }

  /** DNS rebinding: a page of another site whose name resolves to 127.0.0.1 names that site in
   * Host; on a loopback address only loopback names are served. */
  private checkHost (req: IncomingMessage): void {
    if (!this.opts.loopback) return
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
    if (!LOOPBACK_HOSTS.has(host)) throw new HttpError(421, 'this server answers to loopback host names only')
  }

  /** A state-changing request must come from our own pages: the browser's Origin and
   * Sec-Fetch-Site, when sent, must say so (a second fence behind SameSite and the CSRF token). */
  private checkSameOrigin (req: IncomingMessage): void {
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross-site request refused')
    const origin = req.headers.origin
    if (origin !== undefined && origin !== 'null') {
      let host: string
      try { host = new URL(origin).host } catch { throw new HttpError(403, 'bad Origin') }
      if (host !== req.headers.host) throw new HttpError(403, 'cross-origin request refused')
    } else if (origin === 'null') throw new HttpError(403, 'opaque origin refused')
  }

  private session (req: IncomingMessage): Session | null {
    const id = cookieOf(req, COOKIE)
    return id === null ? null : this.sessions.get(id) ?? null
  }

  private controlState (s: Session | null): Parameters<typeof statusPage>[0]['control'] {
    if (this.opts.token === null) return { kind: 'off' }
    return s === null ? { kind: 'login' } : { kind: 'on', csrf: s.csrf }
  }

  private facts (): ReturnType<typeof overview> {
    try {
      return overview([], this.opts.svdir, this.opts.cwd, Math.floor(Date.now() / 1000))
    } catch (err) {
      throw new HttpError(500, `unable to read directory ${this.opts.svdir}: ${reason(err)}`)
    }
  }

  async page (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.facts()
    const logs = new Map<string, string[]>()
    for (const s of o.services) {
      let dirs: string[] = []
      try { dirs = serviceLogDirs(resolveService(s.name, this.opts.svdir, this.opts.cwd)) } catch { /* no log */ }
      const n = this.opts.logLines
      logs.set(s.name, n === 0 ? [] : tailServices([{ name: s.name, dirs }], n).map(l => l.text))
    }
    const session = this.session(req)
    const notice = session?.notice
    if (session !== null) delete session.notice
    const control = this.controlState(session)
    const body = statusPage({ overview: o, logs, refreshSec: this.opts.refreshSec, control, notice })
    this.send(res, 200, 'text/html; charset=utf-8', body)
  }

  async metrics (_req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.send(res, 200, METRICS_TYPE, metricsText(this.facts()))
  }

  private requireToken (): string {
    if (this.opts.token === null) throw new HttpError(403, 'control is off (svhttpd was started without -t)')
    return this.opts.token
  }

  async loginForm (_req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requireToken()
    this.send(res, 200, 'text/html; charset=utf-8', loginPage(false))
  }

  async login (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.requireToken()
    this.checkSameOrigin(req)
    const form = await formBody(req)
    if (!sameSecret(form.get('token') ?? '', token)) {
      this.send(res, 403, 'text/html; charset=utf-8', loginPage(true))
      return
    }
    const id = randomBytes(32).toString('base64url')
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!)
    this.sessions.set(id, { csrf: randomBytes(32).toString('base64url') })
    this.send(res, 303, 'text/plain; charset=utf-8', 'logged in\n', {
      Location: '/',
      'Set-Cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`
    })
  }

  /** POST /control: service=NAME&command=up|down|restart, with either the session cookie and
   * its csrf field (the page's buttons) or "Authorization: Bearer TOKEN" (scripts). */
  async control (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = this.requireToken()
    const auth = req.headers.authorization
    let session: Session | null = null
    if (auth !== undefined) {
      const m = /^Bearer (.+)$/.exec(auth)
      if (m === null || !sameSecret(m[1]!, token)) throw new HttpError(401, 'bad token', { 'WWW-Authenticate': 'Bearer' })
    } else {
      session = this.session(req)
      if (session === null) throw new HttpError(401, 'log in first (or send Authorization: Bearer TOKEN)')
      this.checkSameOrigin(req)
    }
    const form = await formBody(req)
    if (session !== null && !sameSecret(form.get('csrf') ?? '', session.csrf)) throw new HttpError(403, 'bad CSRF token')
    const word = form.get('command') ?? ''
    if (!(CONTROL_WORDS as readonly string[]).includes(word)) {
      throw new HttpError(400, `command must be one of ${CONTROL_WORDS.join(', ')}`)
    }
    const name = form.get('service') ?? ''
    // Names only as listed in the directory: no paths, no dot-files.
    const known = servicesIn(this.opts.svdir, this.opts.cwd)
    if (!known.includes(name)) throw new HttpError(404, `no such service: ${name}`)
    const out = await this.runControl(word as ControlWord, name)
    if (session !== null) {
      session.notice = out.text
      this.send(res, 303, 'text/plain; charset=utf-8', out.text, { Location: '/' })
    } else {
      this.send(res, out.errors === 0 ? 200 : 503, 'text/plain; charset=utf-8', out.text)
    }
  }

  /** The command as `sv -w WAIT word name` runs it, its lines captured. */
  async runControl (word: ControlWord, name: string): Promise<{ errors: number, text: string }> {
    const { errors, output } = await runCaptured({
      command: lookupCommand(word, false)!,
      names: [name],
      svdir: this.opts.svdir,
      cwd: this.opts.cwd,
      env: this.opts.env,
      verbose: true,
      waitSec: this.opts.waitSec,
      lsb: false
    })
    return { errors, text: output }
  }
}

type Handler = (this: SvHttpd, req: IncomingMessage, res: ServerResponse) => Promise<void>

/** Paths and the methods each answers (HEAD as GET). */
const ROUTES: Record<string, Record<string, Handler>> = {
  '/': { GET: SvHttpd.prototype.page },
  '/metrics': { GET: SvHttpd.prototype.metrics },
  '/login': { GET: SvHttpd.prototype.loginForm, POST: SvHttpd.prototype.login },
  '/control': { POST: SvHttpd.prototype.control }
}
