// The pure state machine: every control letter and exit, without processes.
import t from 'tap'
import { step, initialState, hookLetterFor, hookToAsk, actsFor, LETTERS, RUNIT_STOP, RUNIT_RESTART, FINISH_KEEP_DOWN, type State, type Effect, type StopPolicy, type RestartPolicy } from '../../build/runsv/state.js'
import { CONTROL, publishes, type ControlLetter } from '../../build/protocol/control.js'
import type { RunState } from '../../build/protocol/status.js'

const T0 = { sec: 1000, nano: 500 }
const at = (ms: number): { sec: number, nano: number } =>
  ({ sec: 1000 + Math.floor(ms / 1000), nano: (ms % 1000) * 1e6 + 500 })
// death effects (supervise/deaths) are tested on their own, below
const kinds = (fx: Effect[]): string[] => fx.filter(f => f.kind !== 'death').map(f => f.kind === 'spawn' ? `spawn ${f.who} ${f.stage} ${f.args.join(' ')}`.trim() : f.kind === 'kill' ? `kill ${f.signal}` : f.kind === 'hook' ? `hook ${f.letter}` : f.kind)

function running (log = false): State {
  let s = initialState(T0, false, log ? { normallyDown: false } : null)
  s = step(s, { kind: 'boot' }).state
  if (log) s = step(s, { kind: 'started', who: 'log', stage: 'run', pid: 41, now: T0 }).state
  return step(s, { kind: 'started', who: 'main', stage: 'run', pid: 42, now: T0 }).state
}
const ctl = (s: State, letter: string, handled = false, who: 'main' | 'log' = 'main', stop: StopPolicy = RUNIT_STOP) => step(s, { kind: 'control', who, letter, handled, now: at(5000), stop })

t.test('boot starts log before main; down file keeps main down', async t => {
  t.same(kinds(step(initialState(T0, false, { normallyDown: false }), { kind: 'boot' }).effects), ['spawn log run', 'spawn main run'])
  t.same(kinds(step(initialState(T0, true, null), { kind: 'boot' }).effects), [])
})

t.test('d sends TERM then CONT, runs control/d, and marks got TERM', async t => {
  const r = ctl(running(), 'd')
  t.same(kinds(r.effects), ['publish', 'kill SIGTERM', 'publish', 'kill SIGCONT', 'hook d'])
  t.same([r.state.main.want, r.state.main.gotTerm, r.state.main.state], ['down', true, 'run'])
  const h = ctl(running(), 'd', true)
  t.same(kinds(h.effects), ['publish', 'kill SIGCONT', 'hook d'], 'control/t handled it: no TERM')
})

t.test('t with want up sends TERM only; x sends TERM, CONT, control/x', async t => {
  t.same(kinds(ctl(running(), 't').effects), ['kill SIGTERM', 'publish'])
  t.same(kinds(ctl(running(), 'x').effects), ['publish', 'kill SIGTERM', 'publish', 'kill SIGCONT', 'hook x'])
  t.same(kinds(ctl(running(true), 'x', false, 'log').effects), [], 'x is ignored by the log service')
})

t.test('signal letters', async t => {
  const sig: Record<string, string> = { h: 'SIGHUP', a: 'SIGALRM', i: 'SIGINT', q: 'SIGQUIT', 1: 'SIGUSR1', 2: 'SIGUSR2' }
  for (const [l, s] of Object.entries(sig)) {
    t.same(kinds(ctl(running(), l).effects), [`kill ${s}`], l)
    t.same(kinds(ctl(running(), l, true).effects), [], `${l} handled by control/${l}`)
  }
  t.same(kinds(ctl(running(), 'p').effects), ['kill SIGSTOP', 'publish'])
  t.ok(ctl(running(), 'p').state.main.paused)
  const down = initialState(T0, true, null)
  t.ok(ctl(down, 'p').state.main.paused, 'p sets paused even when down')
  t.same(kinds(ctl(down, 'h').effects), [], 'no signal when down')
  t.same(kinds(ctl(running(), 'z').effects), [], 'unknown byte ignored')
})

t.test('k kills and leaves the state to the reap (fixes runit\'s double start)', async t => {
  const r = ctl(running(), 'k')
  t.same(kinds(r.effects), ['kill SIGKILL'])
  t.equal(r.state.main.state, 'run')
  t.same(kinds(ctl(r.state, 'u').effects), ['publish'], 'u before the reap starts nothing')
})

t.test('exit with finish: finish gets code and signal, then down, then the 1-second rule', async t => {
  let s = running()
  let r = step(s, { kind: 'exited', who: 'main', code: null, signal: 15, finishExists: true, now: at(200) })
  t.equal(r.state.main.state, 'finish')
  t.same(kinds(r.effects), ['publish', 'spawn main finish -1 15'])
  s = step(r.state, { kind: 'started', who: 'main', stage: 'finish', pid: 43, now: at(210) }).state
  t.same(s.main.when, T0, 'finish keeps run\'s start time')
  r = step(s, { kind: 'exited', who: 'main', code: 0, signal: 0, finishExists: true, now: at(300) })
  t.equal(r.state.main.state, 'down')
  t.same(kinds(r.effects), ['publish', 'delay'], 'run + finish lived < 1 s: wait before restarting')
  r = step(r.state, { kind: 'timer', who: 'main', purpose: { kind: 'spacing' } })
  t.same(kinds(r.effects), ['spawn main run'])
})

t.test('a run that lived a second or more restarts at once', async t => {
  const r = step(running(), { kind: 'exited', who: 'main', code: 3, signal: 0, finishExists: false, now: at(1500) })
  t.same(kinds(r.effects), ['publish', 'spawn main run'])
})

t.test('o runs once; x while down exits; exit waits for the log', async t => {
  let s = initialState(T0, true, null)
  let r = ctl(s, 'o')
  t.same(kinds(r.effects), ['publish', 'spawn main run'])
  s = step(r.state, { kind: 'started', who: 'main', stage: 'run', pid: 50, now: at(10) }).state
  r = step(s, { kind: 'exited', who: 'main', code: 0, signal: 0, finishExists: false, now: at(2000) })
  t.same(kinds(r.effects), ['publish'], 'not restarted')
  t.same(kinds(ctl(r.state, 'x').effects), ['publish', 'exit'])

  let l = running(true)
  l = ctl(l, 'x').state
  r = step(l, { kind: 'exited', who: 'main', code: null, signal: 15, finishExists: false, now: at(3000) })
  t.same(kinds(r.effects), ['publish', 'publish', 'close-log-pipe'])
  t.equal(r.state.log!.want, 'exit')
  r = step(r.state, { kind: 'exited', who: 'log', code: 0, signal: 0, finishExists: false, now: at(3100) })
  t.same(kinds(r.effects), ['publish', 'exit'])
})

t.test('a u after x cancels the pending exit, as in runit', async t => {
  const s = ctl(running(), 'x').state
  t.equal(ctl(s, 'u').state.main.want, 'up')
})

t.test('hook letters', async t => {
  t.same(['d', 'x', 't', 'k', 'u', 'o', 'h', 'z'].map(hookLetterFor), ['t', 't', 't', 'k', null, null, 'h', null])
})

t.test('down-signal replaces TERM for d and x, not t; timeout-kill KILLs the same run only', async t => {
  const hup: StopPolicy = { signal: 'SIGHUP', killAfterMs: 0 }
  t.same(kinds(ctl(running(), 'd', false, 'main', hup).effects), ['publish', 'kill SIGHUP', 'publish', 'kill SIGCONT', 'hook d'])
  t.same(kinds(ctl(running(), 'x', false, 'main', hup).effects), ['publish', 'kill SIGHUP', 'publish', 'kill SIGCONT', 'hook x'])
  t.same(kinds(ctl(running(), 't', false, 'main', hup).effects), ['kill SIGTERM', 'publish'], 't is TERM by name')
  t.same(kinds(ctl(running(), 'd', true, 'main', hup).effects), ['publish', 'kill SIGCONT', 'hook d'], 'control/t handled it: nothing sent, no timer')

  const r = ctl(running(), 'd', false, 'main', { signal: 'SIGTERM', killAfterMs: 300 })
  const delay = r.effects.find(f => f.kind === 'delay')
  t.same(delay, { kind: 'delay', who: 'main', ms: 300, purpose: { kind: 'kill', pid: 42, when: T0, state: 'run' } })
  if (delay?.kind !== 'delay') return
  const fire = (s: State) => step(s, { kind: 'timer', who: 'main', purpose: delay.purpose }).effects
  t.same(fire(r.state).filter(f => f.kind.startsWith('kill')), [
    { kind: 'kill-group', who: 'main', pid: 42 }
  ], 'still running when the timer fires: KILL to its process group and to it')
  const gone = step(r.state, { kind: 'exited', who: 'main', code: null, signal: 15, finishExists: false, now: at(5100) }).state
  t.same(kinds(fire(gone)), [], 'died in time: nothing')
  const later = step(running(), { kind: 'started', who: 'main', stage: 'run', pid: 42, now: at(9000) }).state
  t.same(kinds(fire(later)), [], 'the same pid in a later run is not hit')
})

t.test(`./finish exiting ${FINISH_KEEP_DOWN} keeps the service down`, async t => {
  let s = step(running(), { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: true, now: at(2000) }).state
  s = step(s, { kind: 'started', who: 'main', stage: 'finish', pid: 43, now: at(2010) }).state
  const r = step(s, { kind: 'exited', who: 'main', code: FINISH_KEEP_DOWN, signal: 0, finishExists: true, now: at(2100) })
  t.same([r.state.main.state, r.state.main.want], ['down', 'down'])
  t.same(kinds(r.effects), ['publish'], 'not restarted')
  const other = step(s, { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: true, now: at(2100) })
  t.same(kinds(other.effects), ['publish', 'spawn main run'], 'any other exit restarts')
  const once = step(running(), { kind: 'exited', who: 'main', code: FINISH_KEEP_DOWN, signal: 0, finishExists: false, now: at(2000) })
  t.same(kinds(once.effects), ['publish', 'spawn main run'], 'from ./run itself, 125 is an exit like any other')
})

t.test('timeout-finish: a ./finish that outlives it gets KILL; a later one is not hit', async t => {
  const s = step(running(), { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: true, now: at(2000) }).state
  const r = step(s, { kind: 'started', who: 'main', stage: 'finish', pid: 43, now: at(2010), finishKillMs: 500 })
  const delay = r.effects.find(f => f.kind === 'delay')
  t.same(delay, { kind: 'delay', who: 'main', ms: 500, purpose: { kind: 'kill', pid: 43, when: T0, state: 'finish' } })
  if (delay?.kind !== 'delay') return
  const fire = (st: State) => step(st, { kind: 'timer', who: 'main', purpose: delay.purpose }).effects.filter(f => f.kind.startsWith('kill'))
  t.same(fire(r.state), [{ kind: 'kill-group', who: 'main', pid: 43 }], 'its group, then it')
  const done = step(r.state, { kind: 'exited', who: 'main', code: 0, signal: 0, finishExists: true, now: at(2100) }).state
  t.same(fire(done), [], 'finished in time: nothing')
  t.same(kinds(step(s, { kind: 'started', who: 'main', stage: 'finish', pid: 43, now: at(2010) }).effects), ['publish'], 'no timeout-finish: no timer')
})

t.test('every letter in every state does what its cell of LETTERS says', async t => {
  const policies: StopPolicy[] = [RUNIT_STOP, { signal: 'SIGHUP', killAfterMs: 300 }]
  const finishing = (): State => {
    const s = step(running(true), { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: true, now: at(2000) }).state
    return step(s, { kind: 'started', who: 'main', stage: 'finish', pid: 43, now: at(2010) }).state
  }
  const logDown = (): State => {
    const s = step(initialState(T0, false, { normallyDown: true }), { kind: 'boot' }).state
    return step(s, { kind: 'started', who: 'main', stage: 'run', pid: 42, now: T0 }).state
  }
  const mainDown = (): State => step(step(initialState(T0, true, { normallyDown: false }), { kind: 'boot' }).state, { kind: 'started', who: 'log', stage: 'run', pid: 41, now: T0 }).state
  const cases: Array<{ who: 'main' | 'log', state: RunState, make: () => State }> = [
    { who: 'main', state: 'down', make: mainDown },
    { who: 'main', state: 'run', make: () => running(true) },
    { who: 'main', state: 'finish', make: finishing },
    { who: 'log', state: 'down', make: logDown },
    { who: 'log', state: 'run', make: () => running(true) }
  ]
  let cells = 0
  for (const letter of Object.keys(CONTROL) as ControlLetter[]) {
    const meaning = CONTROL[letter]
    for (const c of cases) {
      for (const paused of [false, true]) {
        for (const stop of policies) {
          const asked = hookToAsk(c.who, letter, c.state)
          t.equal(asked, c.who === 'main' && c.state === 'run' ? meaning.hook : null, `hook for ${letter} on ${c.who} ${c.state}`)
          for (const handled of asked === null ? [false] : [false, true]) {
            const before = c.make()
            before[c.who]!.paused = paused
            t.equal(before[c.who]!.state, c.state)
            const r = step(before, { kind: 'control', who: c.who, letter, handled, now: at(5000), stop })
            const acts = c.who === 'log' && meaning.mainOnly === true ? [] : LETTERS[letter][c.state]
            t.same(actsFor(c.who, letter, c.state), acts)
            // What the cell does, by the meaning of each act (state.ts, Act); then what the end of
            // every event adds (settle, checked by the tests above), run again on the new state.
            const svc = { ...before[c.who]! }
            const want: string[] = []
            for (const act of acts) {
              if (act === 'want') {
                svc.want = meaning.intent === 'once' ? 'down' : meaning.intent!
                svc.once = meaning.intent === 'once' ? svc.once || c.state === 'down' : false
                want.push('publish')
              } else if (act === 'stop') {
                if (!handled) {
                  want.push(`kill ${meaning.signal ?? stop.signal}`, 'publish')
                  if (stop.killAfterMs > 0) want.push('delay')
                  svc.gotTerm = true
                }
                if (svc.want !== 'up') want.push('kill SIGCONT', ...(c.who === 'main' ? [`hook ${svc.want === 'down' ? 'd' : 'x'}`] : []))
              } else if (act === 'signal') {
                if (!handled) want.push(`kill ${meaning.signal!}`)
              } else {
                svc.paused = meaning.paused!
                want.push('publish')
              }
            }
            const settle = step({ ...r.state, closingLog: before.closingLog }, { kind: 'boot' }).effects
            const label = `${letter} on ${c.who} ${c.state}${paused ? ' paused' : ''}${handled ? ', handled by control/' + asked! : ''}, stop ${stop.signal}/${stop.killAfterMs}`
            t.same(kinds(r.effects), [...want, ...kinds(settle)], label)
            const after = r.state[c.who]!
            t.same(
              [after.want, after.once, after.paused, after.gotTerm, after.state, after.pid],
              [svc.want, svc.once, svc.paused, svc.gotTerm, c.state, svc.pid], label)
            if (publishes(letter) && c.who === 'main') t.ok(r.effects.some(f => f.kind === 'publish' && f.who === 'main'), `${label}: publishes`)
            cells++
          }
        }
      }
    }
  }
  t.ok(cells >= Object.keys(CONTROL).length * cases.length * 4, `${cells} cells checked`)
})

// The restart policy (runsv(8), RESTART POLICY), decided at each exit from the policy on the event.
const NO_POLICY: RestartPolicy = RUNIT_RESTART
const policy = (p: Partial<RestartPolicy>): RestartPolicy => ({ ...NO_POLICY, ...p })
const delays = (fx: Effect[]): number[] => fx.flatMap(f => f.kind === 'delay' ? [f.ms] : [])

/** Starts the main run at `start` ms and has it exit at `end` ms; returns the exit's step. */
function crash (s: State, start: number, end: number, restart: RestartPolicy, code: number | null = 1, signal = 0) {
  const up = step(s, { kind: 'started', who: 'main', stage: 'run', pid: 60, now: at(start) }).state
  return step(up, { kind: 'exited', who: 'main', code, signal, finishExists: false, now: at(end), restart })
}

/** Ends the pause the step asked for (its own timer). */
function endPause (r: { state: State, effects: Effect[] }) {
  const d = r.effects.find(f => f.kind === 'delay')
  if (d?.kind !== 'delay') throw new Error('no delay')
  return step(r.state, { kind: 'timer', who: 'main', purpose: d.purpose })
}

t.test('restart-backoff: the pause doubles from 1 s up to the maximum; a long run starts the series again', async t => {
  const p = policy({ backoffMaxMs: 8000 })
  let s = step(initialState(T0, false, null), { kind: 'boot' }).state
  const seen: number[] = []
  let clock = 0
  for (let i = 0; i < 6; i++) {
    const r = crash(s, clock, clock + 100, p)
    seen.push(...delays(r.effects))
    t.same(kinds(r.effects), ['publish', 'delay'], 'no start before the pause ends')
    const e = endPause(r)
    t.same(kinds(e.effects), ['spawn main run'], 'started when the pause ends')
    s = e.state
    clock += 100000
  }
  t.same(seen, [1000, 2000, 4000, 8000, 8000, 8000])
  const long = crash(s, clock, clock + 8000, p)
  t.same(kinds(long.effects), ['publish', 'spawn main run'], 'a run of the maximum or longer restarts at once')
  t.same(delays(crash(long.state, clock + 9000, clock + 9100, p).effects), [1000], 'and the series starts again')
  const between = crash(s, clock, clock + 3000, p)
  t.same(delays(between.effects), [8000], 'a run longer than 1 s but shorter than the maximum still pauses')
})

t.test('without restart-backoff: runit\'s 1 s after a run shorter than 1 s, never more', async t => {
  let s = step(initialState(T0, false, null), { kind: 'boot' }).state
  for (let i = 0; i < 4; i++) {
    const r = crash(s, i * 10000, i * 10000 + 100, NO_POLICY)
    t.same(delays(r.effects), [1000])
    s = endPause(r).state
  }
  t.same(delays(crash(s, 50000, 51500, NO_POLICY).effects), [])
  t.same(delays(crash(s, 50000, 50100, policy({ backoffMaxMs: 1000 })).effects), [1000], 'a maximum of 1 s is runit\'s')
})

t.test('u during a backoff pause starts at once; the pause\'s timer is then ignored; u in runit\'s 1 s pause waits', async t => {
  const p = policy({ backoffMaxMs: 60000 })
  let s = step(initialState(T0, false, null), { kind: 'boot' }).state
  let r = crash(s, 0, 100, p)
  t.same(kinds(ctl(r.state, 'u').effects), ['publish'], 'the first pause is runit\'s 1 s: u waits for it')
  s = endPause(r).state
  r = crash(s, 2000, 2100, p)
  t.same(delays(r.effects), [2000])
  const u = ctl(r.state, 'u')
  t.same(kinds(u.effects), ['cancel', 'publish', 'spawn main run'], 'u ends a backoff pause, and its timer')
  t.equal(u.state.main.backoffMs, 1000, 'and starts the series again')
  const d = r.effects.find(f => f.kind === 'delay')
  if (d?.kind !== 'delay') return
  const late = step(step(u.state, { kind: 'started', who: 'main', stage: 'run', pid: 61, now: at(2200) }).state,
    { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: false, now: at(2300), restart: p })
  t.ok(late.state.main.delayed, 'a new pause')
  t.ok(step(late.state, { kind: 'timer', who: 'main', purpose: d.purpose }).state.main.delayed, 'the old timer does not end it')
})

t.test('normal-exit: a listed code or signal keeps the service down with want down, and says why', async t => {
  const p = policy({ normalCodes: [0, 3], normalSignals: [15] })
  const s = step(initialState(T0, false, null), { kind: 'boot' }).state
  for (const [code, signal] of [[3, 0], [null, 15], [0, 0]] as const) {
    const r = crash(s, 0, 5000, p, code, signal)
    t.same(kinds(r.effects), ['publish'], `not restarted after ${code ?? 'signal'} ${signal}`)
    t.equal(r.state.main.want, 'down')
    t.same(r.state.main.reason, { kind: 'normal-exit', code: code ?? -1, signal })
  }
  t.same(kinds(crash(s, 0, 5000, p, 1).effects), ['publish', 'spawn main run'], 'another code restarts')
  t.same(kinds(crash(s, 0, 5000, p, null, 9).effects), ['publish', 'spawn main run'], 'another signal restarts')
  const once = ctl(step(s, { kind: 'started', who: 'main', stage: 'run', pid: 60, now: at(0) }).state, 'o').state
  t.equal(step(once, { kind: 'exited', who: 'main', code: 3, signal: 0, finishExists: false, now: at(5000), restart: p }).state.main.reason, null, 'no reason when not wanted up')
  const fin = step(step(s, { kind: 'started', who: 'main', stage: 'run', pid: 60, now: at(0) }).state, { kind: 'exited', who: 'main', code: 3, signal: 0, finishExists: true, now: at(5000), restart: p })
  t.same(kinds(fin.effects), ['publish', 'spawn main finish 3 0 normal-exit'], './finish still runs, told why as its third argument')
  t.same(kinds(step(fin.state, { kind: 'exited', who: 'main', code: 0, signal: 0, finishExists: true, now: at(5100), restart: p }).effects), ['publish'], 'then the service stays down')
  const r = crash(s, 0, 5000, p, 3)
  const u = ctl(r.state, 'u')
  t.same([u.state.main.want, u.state.main.reason], ['up', null], 'u clears the reason')
  t.same(kinds(u.effects), ['publish', 'spawn main run'])
  t.equal(ctl(r.state, 'd').state.main.reason, null, 'd clears it too: then it is down because told')
})

t.test('respawn-limit: more than COUNT starts within INTERVAL keeps the service down; retry= wants it up again', async t => {
  const p = policy({ limit: { count: 2, intervalMs: 10000, retryMs: 0 } })
  let s = step(initialState(T0, false, null), { kind: 'boot' }).state
  let r = crash(s, 0, 2000, p)
  t.same(kinds(r.effects), ['publish', 'spawn main run'], '1 start')
  r = crash(r.state, 2000, 4000, p)
  t.same(kinds(r.effects), ['publish', 'spawn main run'], '2 starts')
  r = crash(r.state, 4000, 6000, p)
  t.same(kinds(r.effects), ['publish'], '3 starts in 10 s: stopped')
  t.same([r.state.main.want, r.state.main.reason], ['down', { kind: 'respawn-limit', starts: 3, intervalMs: 10000, retryMs: 0 }])
  s = r.state
  const u = ctl(s, 'u')
  t.same(kinds(u.effects), ['publish', 'spawn main run'], 'u clears it (no retry=: no timer to cancel)')
  t.same(u.state.main.reason, null)
  r = crash(u.state, 7000, 9000, p)
  t.same(kinds(r.effects), ['publish', 'spawn main run'], 'and counts again from there')

  let q = step(initialState(T0, false, null), { kind: 'boot' }).state
  for (let i = 0; i < 5; i++) q = crash(q, i * 6000, i * 6000 + 2000, p).state
  t.equal(q.main.want, 'up', 'starts further apart than the interval allows never reach it')

  const retry = policy({ limit: { count: 1, intervalMs: 10000, retryMs: 30000 } })
  r = crash(step(initialState(T0, false, null), { kind: 'boot' }).state, 0, 2000, retry)
  r = crash(r.state, 2000, 4000, retry)
  t.same(r.effects.filter(f => f.kind === 'delay').map(f => f.kind === 'delay' ? [f.ms, f.purpose.kind] : []), [[30000, 'retry']])
  const d = r.effects.find(f => f.kind === 'delay')
  if (d?.kind !== 'delay') return
  const again = step(r.state, { kind: 'timer', who: 'main', purpose: d.purpose })
  t.same(kinds(again.effects), ['publish', 'spawn main run'], 'retry: up again')
  t.same([again.state.main.want, again.state.main.reason], ['up', null])
  const down = ctl(r.state, 'd')
  t.same(kinds(down.effects), ['cancel', 'publish'], 'a d meanwhile cancels the retry timer')
  t.same(kinds(step(down.state, { kind: 'timer', who: 'main', purpose: d.purpose }).effects), [], 'and a late one does nothing')
})

t.test('each end of a main run is a death: started, ended, how, and what runsv did next', async t => {
  const p = policy({ normalCodes: [3] })
  const s = step(initialState(T0, false, null), { kind: 'boot' }).state
  const deaths = (fx: Effect[]) => fx.flatMap(f => f.kind === 'death' ? [f.death] : [])
  t.same(deaths(crash(s, 0, 5000, p, 1).effects), [{ started: at(0), ended: at(5000), code: 1, signal: 0, next: 'restart' }])
  t.same(deaths(crash(s, 0, 5000, p, 3).effects).map(d => d.next), ['normal-exit'])
  t.same(deaths(crash(s, 0, 5000, p, null, 9).effects).map(d => [d.code, d.signal]), [[-1, 9]])
  const up = step(s, { kind: 'started', who: 'main', stage: 'run', pid: 60, now: at(0) }).state
  const fin = step(up, { kind: 'exited', who: 'main', code: 1, signal: 0, finishExists: true, now: at(5000), restart: p })
  t.same(deaths(fin.effects), [], 'not while ./finish runs')
  const after = step(step(fin.state, { kind: 'started', who: 'main', stage: 'finish', pid: 61, now: at(5010) }).state,
    { kind: 'exited', who: 'main', code: FINISH_KEEP_DOWN, signal: 0, finishExists: true, now: at(5100), restart: p })
  t.same(deaths(after.effects), [{ started: at(0), ended: at(5000), code: 1, signal: 0, next: 'finish-125' }], 'but after it, with the run\'s times')
  t.same(deaths(step(ctl(up, 'd').state, { kind: 'exited', who: 'main', code: null, signal: 15, finishExists: false, now: at(6000) }).effects).map(d => d.next), ['down'])
  const log = step(running(true), { kind: 'exited', who: 'log', code: 1, signal: 0, finishExists: false, now: at(6000) })
  t.same(deaths(log.effects), [], 'the log service keeps no record')
})
