// Waits for a condition with a deadline; fails with the last value seen.

export interface UntilOptions { timeout?: number, interval?: number, what?: string }

export async function until<T> (
  read: () => T | Promise<T>, ok: (v: T) => boolean, opts: UntilOptions = {}
): Promise<T> {
  const timeout = opts.timeout ?? 5000
  const end = Date.now() + timeout
  let last: T | undefined
  let lastErr: unknown
  for (;;) {
    try {
      last = await read()
      lastErr = undefined
      if (ok(last)) return last
    } catch (err) {
      lastErr = err
    }
    if (Date.now() > end) {
      const seen = lastErr !== undefined ? `error ${String(lastErr)}` : JSON.stringify(last)
      throw new Error(`${opts.what ?? 'value'} was ${seen} after ${timeout} ms`)
    }
    await new Promise(resolve => setTimeout(resolve, opts.interval ?? 20))
  }
}

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
