// One sv invocation run in-process with its lines captured instead of printed: for programs built
// on sv's library (svhttpd's buttons, the API), which show or return sv's words.

import { runSv, type SvRequest } from './client.js'

export interface Captured {
  /** what sv's exit code counts: fail:, warning: and timeout: lines */
  errors: number
  /** sv's stdout and stderr lines, in order, as sv would print them */
  output: string
}

export async function runCaptured (req: Omit<SvRequest, 'sink'>): Promise<Captured> {
  let output = ''
  const put = (s: string): void => { output += s }
  const { errors } = await runSv({ ...req, sink: { stdout: put, stderr: put } })
  return { errors, output }
}
