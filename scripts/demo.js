#!/usr/bin/env node
// The `npm start` demo: runsvdir in the foreground over a temporary copy of sv-examples/ (the
// examples safe to start anywhere), no root needed. Ctrl-C (SIGINT) makes runsvdir stop every
// runsv and service; then the copy is removed.

import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const programs = ['runsvdir', 'runsv', 'sv', 'svlogd', 'chpst', 'svhttpd']

const work = mkdtempSync(join(tmpdir(), 'runit-ts-demo-'))
const service = join(work, 'service')
const bin = join(work, 'bin')
// Only the examples safe to start anywhere: the others run system daemons (dbus, sshd, udevd…)
// whose setup, run as root, would change this machine (host keys, /run, the system bus socket).
const DEMO_SERVICES = ['hello', 'webapp', 'svhttpd']
mkdirSync(service, { recursive: true })
for (const name of DEMO_SERVICES) cpSync(join(root, 'sv-examples', name), join(service, name), { recursive: true })
// Run by root, webapp drops to nobody (chpst -u), who must be able to read its directory.
chmodSync(work, 0o755)
// webapp listens on the port in env/PORT: a free one, so the demo never collides with 8080.
const port = await freePort()
writeFileSync(join(service, 'webapp', 'env', 'PORT'), `${port}\n`)
// svhttpd shows the demo's services (read-only: no token file), on another free port.
const httpPort = await freePort()
writeFileSync(join(service, 'svhttpd', 'conf'), `SVDIR=${service}\nPORT=${httpPort}\n`)
// runsvdir finds runsv through PATH (as runit does), and log/run scripts call svlogd by name:
// a bin directory of plain names for the programs goes first on PATH.
mkdirSync(bin)
for (const p of programs) symlinkSync(join(root, 'bin', `${p}.js`), join(bin, p))

const names = readdirSync(service).filter(n => !n.startsWith('.'))
const first = names.includes('hello') ? 'hello' : names[0] ?? 'hello'
const say = (line = '') => { process.stdout.write(line + '\n') }

const child = spawn(process.execPath, [join(root, 'bin', 'runsvdir.js'), '-P', service], {
  stdio: 'inherit',
  env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }
})

say(`runsvdir (pid ${child.pid}) is supervising ${service}`)
say(`  services: ${names.join(' ') || '(none)'}`)
say('Try, in another terminal (the PATH gives sv, and the chpst that ./check scripts call):')
say(`  export SVDIR=${service} PATH=${bin}:$PATH`)
say(`  sv status ${names.join(' ')}`)
say(`  sv restart ${first}`)
say(`  sv check webapp && curl http://127.0.0.1:${port}/`)
say(`  tail ${join(service, 'webapp', 'log', 'main', 'current')}`)
say(`Open http://127.0.0.1:${httpPort}/ for the services' page (svhttpd), /metrics for Prometheus.`)
say('Press Ctrl-C to stop everything.')
say()

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  // A terminal's ^C reaches runsvdir too; a second SIGINT changes nothing. From kill(1) only
  // this process gets it, so pass it on. runsvdir treats SIGINT like SIGHUP: it stops every
  // runsv, which stop their services, and exits once all are gone.
  try { process.kill(child.pid, 'SIGINT') } catch { /* already gone */ }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, stop)

child.on('exit', (code, signal) => {
  const left = leftovers()
  rmSync(work, { recursive: true, force: true })
  say()
  if (left.length > 0) say(`still running (pids ${left.join(' ')}): runsvdir did not stop them`)
  if (stopping && code === 111 && left.length === 0) {
    say(`runsvdir stopped every service; nothing left running. Removed ${work}.`)
    process.exitCode = 0
    return
  }
  say(`runsvdir exited (${signal ?? `code ${code}`}); removed ${work}.`)
  process.exitCode = left.length > 0 ? 1 : code ?? 1
})

/** services' pids that are still alive, from each supervise/pid (and log/supervise/pid) */
function leftovers () {
  const out = []
  for (const name of names) {
    for (const f of [join(service, name, 'supervise', 'pid'), join(service, name, 'log', 'supervise', 'pid')]) {
      let pid = 0
      try { pid = Number.parseInt(readFileSync(f, 'utf8'), 10) || 0 } catch { /* none */ }
      if (pid > 0 && alive(pid)) out.push(pid)
    }
  }
  return out
}

function freePort () {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function alive (pid) {
  try {
    process.kill(pid, 0)
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}
