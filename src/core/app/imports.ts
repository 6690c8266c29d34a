/**
 * Imports in the background, for the app: one run at a time, paths dropped during a run queued
 * for the next (never refused), progress published as `import.state` (at most ten a second, and
 * always the final state), `library.changed` whenever documents were written. A re-index is a run
 * too, so the UI shows it with the same progress bar.
 */
import type { EventName, EventPayload, ImportStateValue, SettingsValue } from '../../shared/contract'
import { choiceForSpec, type EmbedderChoice } from '../embed/choice'
import type { Engine } from '../engine'
import type { IngestEvent } from '../ingest/events'
import { readMeta } from '../store/library'
import { AppError, toErrorValue } from './errors'
import { Throttle } from './throttle'

const STATE_EVERY_MS = 100
const CHANGED_EVERY_MS = 1_000
/** Enough failures to show; a folder of ten thousand broken files should not make every event huge. */
const MAX_FAILURES = 500

export interface ImportDeps {
  engine: Engine
  libraryDir: string
  settings: () => SettingsValue
  broadcast: <N extends EventName>(name: N, payload: EventPayload<N>) => void
}

type Counters = Pick<ImportStateValue, 'filesDone' | 'filesTotal' | 'bytesDone' | 'bytesTotal' | 'chunks'>

export class ImportRunner {
  private state: ImportStateValue = idleState()
  private queued: string[] = []
  private controller: AbortController | null = null
  private kind: 'import' | 'reindex' | null = null
  private running: Promise<void> = Promise.resolve()
  /** What earlier runs of the same busy spell counted, so chained runs add up on one bar. */
  private base: Counters = zeroCounters()
  private readonly stateThrottle: Throttle
  private readonly changedThrottle: Throttle

  constructor(private readonly deps: ImportDeps) {
    this.stateThrottle = new Throttle(() => deps.broadcast('import.state', this.snapshot()), STATE_EVERY_MS)
    this.changedThrottle = new Throttle(() => deps.broadcast('library.changed', {}), CHANGED_EVERY_MS)
  }

  snapshot(): ImportStateValue {
    return { ...this.state, current: [...this.state.current], failures: [...this.state.failures] }
  }

  isRunning(): boolean {
    return this.kind !== null
  }

  isReindexing(): boolean {
    return this.kind === 'reindex'
  }

  /** Imports `paths` now, or after the run in progress. An empty list resumes the journal's queue. */
  import(paths: string[]): void {
    if (this.kind) {
      this.queued.push(...paths)
      return
    }
    this.begin('import', paths)
  }

  reindex(): void {
    if (this.kind) throw new AppError('busy', 'An import is running. Wait for it to finish, or cancel it, before re-indexing.')
    this.begin('reindex', [])
  }

  /** Cancels the run and forgets paths queued behind it. */
  cancel(): void {
    this.queued = []
    this.controller?.abort()
  }

  /** Cancels and waits for the run to wind down. */
  async close(): Promise<void> {
    this.cancel()
    await this.running
    this.stateThrottle.cancel()
    this.changedThrottle.cancel()
  }

  private begin(kind: 'import' | 'reindex', paths: string[]): void {
    const controller = new AbortController()
    this.controller = controller
    this.kind = kind
    this.base = zeroCounters()
    this.state = { ...idleState(), running: true }
    this.stateThrottle.flush()
    this.running = this.runAll(kind, paths, controller.signal).finally(() => {
      this.kind = null
      this.controller = null
      this.state = { ...this.state, running: false, current: [], cancelled: controller.signal.aborted }
      this.stateThrottle.flush()
      this.changedThrottle.flush()
    })
  }

  private async runAll(kind: 'import' | 'reindex', first: string[], signal: AbortSignal): Promise<void> {
    const onEvent = (event: IngestEvent): void => this.onEvent(event)
    let paths = first
    let reindex = kind === 'reindex'
    try {
      for (;;) {
        const embedder = await this.embedderFor(reindex)
        if (reindex) await this.deps.engine.reindex({ embedder, signal, onEvent })
        else await this.deps.engine.ingest(paths, { embedder, signal, onEvent })
        this.base = counters(this.state)
        if (signal.aborted || this.queued.length === 0) return
        paths = this.queued.splice(0)
        reindex = false
      }
    } catch (error) {
      // Cancelling can surface as an AbortError from wherever the run was; that is not a failure.
      if (!signal.aborted) this.state.error = toErrorValue(error, 'importing').message
    }
  }

  /**
   * The library keeps the embedder that built it; Settings' embedder applies to an empty library
   * and to a re-index (the guided way to change embedder). Ollama is reached at Settings' host.
   */
  private async embedderFor(reindex: boolean): Promise<EmbedderChoice> {
    const settings = this.deps.settings()
    const meta = await readMeta(this.deps.libraryDir)
    if (meta.embedder && !reindex) return choiceForSpec(meta.embedder, settings.ollamaHost)
    return settings.embedder.kind === 'builtin' ? { kind: 'builtin' } : { kind: 'ollama', model: settings.embedder.model, host: settings.ollamaHost }
  }

  private onEvent(event: IngestEvent): void {
    const state = this.state
    const base = this.base
    if (event.type === 'stage') {
      state.stage = event.stage
      state.current = []
      // Every document of the run is written by now: windows list them as they are, not as the
      // last throttled change left them (a file still "queued" beside "you can search now").
      this.changedThrottle.flush()
    } else if (event.type === 'queued') {
      state.stage = 'reading'
      state.filesTotal = base.filesTotal + event.filesTotal
      state.bytesTotal = base.bytesTotal + event.bytesTotal
    } else if (event.type === 'progress') {
      state.filesDone = base.filesDone + event.filesDone
      state.filesTotal = base.filesTotal + event.filesTotal
      state.bytesDone = base.bytesDone + event.bytesDone
      state.bytesTotal = base.bytesTotal + event.bytesTotal
      state.chunks = base.chunks + event.chunks
      state.current = event.current
    } else {
      if (event.outcome === 'indexed') state.indexed++
      else if (event.outcome === 'skipped' || event.outcome === 'unchanged') state.skipped++
      else if (event.outcome === 'failed' && state.failures.length < MAX_FAILURES) {
        state.failures.push({ path: event.path, code: event.code ?? 'corrupt', reason: event.reason ?? 'The file could not be imported.' })
      }
      if (event.outcome === 'indexed' || event.outcome === 'failed') this.changedThrottle.request()
    }
    this.stateThrottle.request()
  }
}

function idleState(): ImportStateValue {
  return { running: false, stage: 'reading', ...zeroCounters(), current: [], failures: [], skipped: 0, indexed: 0, cancelled: false, error: null }
}

function zeroCounters(): Counters {
  return { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, chunks: 0 }
}

function counters(state: ImportStateValue): Counters {
  return { filesDone: state.filesDone, filesTotal: state.filesTotal, bytesDone: state.bytesDone, bytesTotal: state.bytesTotal, chunks: state.chunks }
}
