#!/usr/bin/env node
// What a call costs right after the process has been idle, against the same call repeated at
// once: runsv handles each control letter or exit after an idle gap, so its reaction is made of
// first calls. On this project's test machine (a 2-core VM) the first call costs ~10× the
// second; bench/README.md ("Where the time goes") uses these figures.
//
// usage: node bench/after-idle.js [--rounds N] [--idle-ms MS] [--dir DIR (default: the temp dir)]

import { mkdtempSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { WORK_BASE, arg, median, sleep, table } from './common.js'

const ROUNDS = Number(arg('rounds', 30))
const IDLE_MS = Number(arg('idle-ms', 20))

const work = mkdtempSync(join(WORK_BASE, 'after-idle-'))
process.on('exit', () => { rmSync(work, { recursive: true, force: true }) })

const missing = join(work, 'control', 'u')
const record = join(work, 'stat')
const small = { state: 'run', pid: 1234, want: 'up', when: [1, 2] }

// The calls runsv makes on its event path: a probe for a control script, a signal, a record.
const CALLS = [
  ['statSync of a missing file', () => statSync(missing, { throwIfNoEntry: false })],
  ['process.kill(own pid, 0)', () => process.kill(process.pid, 0)],
  ['JSON.stringify of a small object', () => JSON.stringify(small)],
  ['write-then-rename of a 4-byte file', () => { writeFileSync(record + '.new', 'run\n'); renameSync(record + '.new', record) }]
]

const us = (xs) => `${median(xs).toFixed(0)} µs (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`
const rows = []
for (const [label, call] of CALLS) {
  call() // compiled and warm before the first idle gap
  const first = []
  const again = []
  for (let i = 0; i < ROUNDS; i++) {
    await sleep(IDLE_MS)
    const t0 = performance.now()
    call()
    const t1 = performance.now()
    call()
    const t2 = performance.now()
    first.push((t1 - t0) * 1000)
    again.push((t2 - t1) * 1000)
  }
  rows.push([label, us(first), us(again), (median(first) / median(again)).toFixed(1) + '×'])
}
console.log(table([`after ${IDLE_MS} ms idle (${ROUNDS} rounds; ${WORK_BASE})`, 'first call', 'same call again', 'ratio'], rows))
