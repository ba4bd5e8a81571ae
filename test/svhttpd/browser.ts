// svhttpd's page in a real headless Chromium (Debian's chromium driven by playwright-core, which
// downloads no browser): the table, a screenshot kept with the test output, and the control
// buttons: refused without the token and CSRF token, done with them (svhttpd(8)).
import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { runsv } from '../helpers/sv.js'
import { serviceIn, stat } from '../helpers/svdir.js'
import { ROOT } from '../helpers/bin.js'
import { until } from '../helpers/until.js'
import { startSvhttpd, request, webWithLog } from '../helpers/svhttpd.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`
const TOKEN = 'a-token-of-32-characters-or-so!!'
/** Screenshots are kept here, beside tap's own output. */
const SHOTS = join(ROOT, '.tap', 'screenshots')

async function browser (t: { teardown: (fn: () => unknown) => void }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'svhttpd-chromium-'))
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => {
    await ctx.close().catch(() => {})
    rmSync(profile, { recursive: true, force: true })
  })
  return ctx
}

t.test('the page: table, log lines, controls behind the token and the CSRF token', { skip, timeout: 180000 }, async t => {
  const base = t.testdir()
  const svdir = join(base, 'service')
  mkdirSync(svdir)
  const web = webWithLog(base, svdir)
  const idle = serviceIn(svdir, { name: 'idle', run: 'exec sleep 1000', down: true })
  for (const d of [web, idle]) runsv(t, 'ours', d)
  await until(() => stat(web), s => s === 'run\n', { what: 'web' })
  await until(() => stat(idle), s => s.startsWith('down'), { what: 'idle' })
  const tokenFile = join(base, 'token')
  writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 })
  const { url, port } = await startSvhttpd(t, svdir, ['-t', tokenFile, '-r', '60'])

  const ctx = await browser(t)
  const page = await ctx.newPage()
  await until(async () => { await page.goto(url); return await page.content() },
    html => /<section class="log" data-service="web"><h2>web<\/h2><pre>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ web says hello/.test(html),
    { what: 'web\'s log line on the page', timeout: 15000, interval: 200 })
  const rows = await page.$$eval('#services tbody tr', trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)))
  t.same(rows.map(r => r.slice(0, 2)), [['idle', 'down'], ['web', 'run'], ['web/log', 'run']], 'a row per service and log service')
  t.match(rows[1]![2], /^\d+$/, 'web\'s pid')
  t.same(await page.$$eval('#services thead th', ths => ths.map(th => th.textContent)),
    ['NAME', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'READY', 'CPU', 'MEM', 'FLAGS'], 'sv list\'s columns')
  t.equal(await page.locator('button').count(), 0, 'no buttons before logging in')
  t.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '60', 'reloads itself')
  mkdirSync(SHOTS, { recursive: true })
  const shot = join(SHOTS, 'svhttpd-page.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.ok(existsSync(shot), `screenshot: ${shot}`)

  // Without the token: refused, nothing changed.
  const form = { service: 'web', command: 'down' }
  t.equal((await request(url + 'control', { form })).status, 401, 'no session, no token')
  t.equal((await request(url + 'control', { form, headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status, 401)
  const wrongLogin = await request(url + 'login', { form: { token: 'not-it' } })
  t.same([wrongLogin.status, wrongLogin.headers['set-cookie']], [403, undefined], 'a wrong token buys no session')

  // Log in through the page; the buttons appear.
  await page.goto(url + 'login')
  await page.fill('input[name="token"]', TOKEN)
  await Promise.all([page.waitForURL(url), page.click('button[type="submit"]')])
  t.equal(await page.locator('tr[data-service="web"] button').count(), 3, 'up, down, restart for web')
  t.equal(await page.locator('tr[data-service="web/log"] button').count(), 0, 'none for a log service')
  const cookies = await ctx.cookies(url)
  const session = cookies.find(c => c.name === 'svhttpd_session')!
  t.match(session, { httpOnly: true, sameSite: 'Strict' })
  const cookie = `${session.name}=${session.value}`
  const csrf = await page.locator('tr[data-service="web"] input[name="csrf"]').getAttribute('value')

  // The session cookie alone (what a cross-site form would carry, were SameSite ignored) is not enough.
  t.equal((await request(url + 'control', { form, headers: { Cookie: cookie } })).status, 403, 'no CSRF token')
  t.equal((await request(url + 'control', { form: { ...form, csrf: 'forged' }, headers: { Cookie: cookie } })).status, 403)
  const cross = await request(url + 'control', { form: { ...form, csrf: csrf! }, headers: { Cookie: cookie, Origin: 'http://evil.example' } })
  t.equal(cross.status, 403, 'another Origin')
  const site = await request(url + 'control', { form: { ...form, csrf: csrf! }, headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' } })
  t.equal(site.status, 403, 'Sec-Fetch-Site: cross-site')
  t.equal((await request(url + 'control', { form: { service: '../web', command: 'down', csrf: csrf! }, headers: { Cookie: cookie } })).status, 404)
  t.equal((await request(url + 'control', { form: { service: 'web', command: 'exit', csrf: csrf! }, headers: { Cookie: cookie } })).status, 400)
  t.equal((await request(url + 'control', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' } })).status, 415)
  t.equal(stat(web), 'run\n', 'still running after every refused request')

  // The button, with the session and its CSRF token: done, and sv's words shown once.
  await Promise.all([page.waitForURL(url), page.click('tr[data-service="web"] button[value="down"]')])
  t.match(stat(web), /^down/)
  t.match(await page.locator('#notice').textContent(), /^ok: down: web: \d+s/)
  t.equal(await page.locator('tr[data-service="web"] td:nth-child(2)').textContent(), 'down')
  await Promise.all([page.waitForURL(url), page.click('tr[data-service="web"] button[value="up"]')])
  t.equal(stat(web), 'run\n')
  await page.screenshot({ path: join(SHOTS, 'svhttpd-page-logged-in.png'), fullPage: true })

  // A script: the token as a bearer, no CSRF token needed (a browser cannot send the header cross-site).
  const bearer = await request(`http://127.0.0.1:${port}/control`, { form: { service: 'idle', command: 'up' }, headers: { Authorization: `Bearer ${TOKEN}` } })
  t.same([bearer.status, bearer.body.replace(/\d+/g, 'N')], [200, 'ok: run: idle: (pid N) Ns, normally down\n'])
})
