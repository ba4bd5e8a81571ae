// The supervisor's serial queue: events are handled one at a time, in arrival order, each to its
// end (awaits included) before the next. Events pushed before start() wait: letters written
// while the supervisor sets up are taken once it has booted, as runit's loop takes them.

export class EventQueue<E> {
  private readonly waiting: E[] = []
  private handle: ((ev: E) => Promise<void>) | null = null
  private fault: (err: Error) => void = () => {}
  private busy = false
  private closed = false

  push (ev: E): void {
    if (this.closed) return
    this.waiting.push(ev)
    void this.drain()
  }

  /** Handles what waits and every later event with `handle`; a throw stops the queue and goes to
   * `fault` (a bug must not take down a process that hosts other supervisors). */
  start (handle: (ev: E) => Promise<void>, fault: (err: Error) => void): void {
    this.handle = handle
    this.fault = fault
    void this.drain()
  }

  /** Drops what waits and ignores later pushes. */
  close (): void {
    this.closed = true
    this.waiting.length = 0
  }

  private async drain (): Promise<void> {
    if (this.busy || this.handle === null) return
    this.busy = true
    try {
      while (this.waiting.length > 0 && !this.closed) await this.handle(this.waiting.shift()!)
    } catch (err) {
      this.close()
      this.fault(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.busy = false
    }
  }
}
