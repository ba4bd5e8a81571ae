// Error classes shared by every layer: usage mistakes, system-call failures, internal faults.

/** Bad command line: the program prints its usage line and exits with its usage code. */
export class UsageError extends Error {
  constructor (message = 'usage') {
    super(message)
    this.name = 'UsageError'
  }
}

/** A system call failed where nobody expected it to; cli turns it into a fatal line. */
export class SysError extends Error {
  readonly code: string | undefined
  /** the runit-style message without the reason, e.g. "unable to open supervise/lock" */
  readonly what: string

  constructor (what: string, cause: unknown) {
    super(what, { cause })
    this.name = 'SysError'
    this.what = what
    this.code = errnoCode(cause)
  }
}

/** An Error carrying an errno code, for failures found without a system call (or reported by a
 * helper program): it reads like the one the call would have thrown. */
export function errnoError (code: string, message = code): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code })
}

/** The errno code of a Node error ('ENOENT', …), or undefined. */
export function errnoCode (err: unknown): string | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}
