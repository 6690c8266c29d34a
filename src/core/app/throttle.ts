/**
 * Runs a function at most once per interval however often it is requested, and always once more
 * after the last request, so the final state is never lost (progress events, change events).
 */
export class Throttle {
  private last = 0
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly fn: () => void,
    private readonly intervalMs: number
  ) {}

  request(): void {
    if (this.timer) return
    const wait = this.last + this.intervalMs - Date.now()
    if (wait <= 0) return this.flush()
    this.timer = setTimeout(() => this.flush(), wait)
  }

  /** Runs now (cancelling a pending run). */
  flush(): void {
    this.cancel()
    this.last = Date.now()
    this.fn()
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
