/**
 * Watches the Ollama server so the UI can say at once when it goes away and when it comes back:
 * checks every few seconds (and whenever asked, e.g. after the host changes) and reports the
 * status only when it differs from the last one reported.
 */
import type { OllamaStatusValue } from '../../shared/contract'
import { createOllamaGateway } from '../llm/ollama'

export const STATUS_INTERVAL_MS = 5_000
/**
 * How long one check waits for an answer. A busy app (an import on every core) can hear a healthy
 * Ollama late, and a check that gave up too soon would tell every window that Ollama is gone; a
 * server that is not running is still reported at once (connection refused). Below the interval,
 * so checks never pile up.
 */
export const STATUS_TIMEOUT_MS = 4_000

export class OllamaMonitor {
  private timer: ReturnType<typeof setInterval> | null = null
  private last: OllamaStatusValue | null = null
  private lastKey = ''
  /** Bumped on every check, so a slow answer about an old host never overwrites a newer one. */
  private generation = 0
  private running: { host: string; promise: Promise<OllamaStatusValue> } | null = null

  constructor(
    private readonly host: () => string,
    private readonly onChange: (status: OllamaStatusValue) => void,
    private readonly intervalMs = STATUS_INTERVAL_MS
  ) {}

  start(): void {
    if (this.timer) return
    void this.check()
    this.timer = setInterval(() => void this.check(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** The last status seen, if any. */
  latest(): OllamaStatusValue | null {
    return this.last
  }

  /** Checks now (joining a check of the same host already under way) and reports a change. */
  check(): Promise<OllamaStatusValue> {
    const host = this.host()
    if (this.running?.host === host) return this.running.promise
    const generation = ++this.generation
    const promise = createOllamaGateway({ host, statusTimeoutMs: STATUS_TIMEOUT_MS })
      .status()
      .then((status) => {
        const value: OllamaStatusValue = {
          reachable: status.reachable,
          host: status.host,
          version: status.version,
          models: status.models.map((m) => ({ name: m.name, size: m.size, family: m.family, parameterSize: m.parameterSize, isEmbedding: m.isEmbedding })),
          error: status.error ? { code: status.error.code, message: status.error.message } : null
        }
        if (generation === this.generation) this.report(value)
        return value
      })
      .finally(() => {
        if (this.running?.promise === promise) this.running = null
      })
    this.running = { host, promise }
    return promise
  }

  private report(status: OllamaStatusValue): void {
    const key = JSON.stringify(status)
    this.last = status
    if (key === this.lastKey) return
    this.lastKey = key
    this.onChange(status)
  }
}
