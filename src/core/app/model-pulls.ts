/**
 * Model downloads started from Settings: each pull streams `ollama.pull` progress to every
 * session (at most ten updates a second, and always the last), then a final event with `done`.
 */
import type { EventName, EventPayload } from '../../shared/contract'
import { createOllamaGateway } from '../llm/ollama'
import { fullModelName } from '../llm/gateway'
import { AppError, toErrorValue } from './errors'
import { Throttle } from './throttle'

export class ModelPulls {
  private readonly pulling = new Map<string, AbortController>()

  constructor(
    private readonly host: () => string,
    private readonly broadcast: <N extends EventName>(name: N, payload: EventPayload<N>) => void,
    /** Called after a pull succeeds, so the model list is checked again. */
    private readonly pulled: () => void
  ) {}

  /** Starts pulling `model` in the background. */
  start(model: string): void {
    const key = fullModelName(model)
    if (this.pulling.has(key)) throw new AppError('busy', `${model} is already being downloaded.`)
    const controller = new AbortController()
    this.pulling.set(key, controller)
    let latest: EventPayload<'ollama.pull'> = { model, status: 'starting', done: false }
    const progress = new Throttle(() => this.broadcast('ollama.pull', latest), 100)
    progress.flush()
    createOllamaGateway({ host: this.host() })
      .pull(
        model,
        (p) => {
          latest = { model, status: p.status, completed: p.completed, total: p.total, done: false }
          progress.request()
        },
        controller.signal
      )
      .then(
        () => {
          latest = { model, status: 'success', done: true }
          this.pulled()
        },
        (error: unknown) => {
          latest = { model, status: 'failed', done: true, error: toErrorValue(error, `pulling ${model}`).message }
        }
      )
      .finally(() => {
        this.pulling.delete(key)
        progress.flush()
      })
  }

  /** Stops every download (the app is closing). */
  stopAll(): void {
    for (const controller of this.pulling.values()) controller.abort()
  }
}
