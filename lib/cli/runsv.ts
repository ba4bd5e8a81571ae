// runsv: supervise one service directory (runsv(8)).

import { UsageError } from '../errors/errors.js'
import { makeSay } from '../errors/say.js'
import { Supervisor } from '../runsv/supervisor.js'
import type { Program } from './main.js'

const EXIT = { ok: 0, usage: 1, fatal: 111 } as const // runsv(8)

export const USAGE = 'runsv dir'

/** Signals that stop runsv the way control 'x' does. runit dies on INT and HUP, orphaning the
 * services; here they stop them first (the services run in their own sessions). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

export const runsv: Program = {
  name: 'runsv',
  usage: io => `${io.argv0} dir`,
  exit: EXIT,
  showAtStart: true,
  who: io => `runsv ${io.argv[0] ?? ''}`,
  async main (io) {
    if (io.argv.length !== 1) throw new UsageError()
    const dir = io.argv[0]!
    let sup: Supervisor | null = null
    let termBeforeStart = false
    const onStop = (): void => {
      if (sup !== null) sup.terminate()
      else termBeforeStart = true
    }
    // Left installed after the end: removing the last listener restores the default action, and a
    // signal sent as runsv exits would then kill it instead of letting it exit 0.
    for (const sig of STOP_SIGNALS) process.on(sig, onStop)
    sup = await Supervisor.start({ dir, cwd: io.cwd, say: makeSay(`runsv ${dir}`, io.stderr) })
    if (termBeforeStart) sup.terminate()
    await sup.exited
    return EXIT.ok
  }
}
