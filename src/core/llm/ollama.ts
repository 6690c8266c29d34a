/**
 * The model gateway over the official `ollama` client. Its job beyond the client: time limits a
 * person can live with, aborts that really close the HTTP request, and one error type (`LlmError`)
 * with messages that say what to do.
 */
import { Ollama, type ChatResponse, type ModelResponse } from 'ollama'
import { LlmError, llmMessages } from './errors'
import { bufferedFetch } from './transport'
import {
  looksLikeEmbeddingModel,
  pickChatModel,
  type ChatRequest,
  type GatewayStatus,
  type ModelGateway,
  type ModelInfo,
  type PullProgress
} from './gateway'

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434'

export interface OllamaGatewayOptions {
  /** Base URL of the server, e.g. from $OLLAMA_HOST; "host:port" and ":port" are accepted too. */
  host?: string
  /** How long `status` waits before calling the server unreachable. Default 1500 ms. */
  statusTimeoutMs?: number
  /** Default for `chat`'s first-token limit. Default 120 s: a large model can take that long to load. */
  firstTokenTimeoutMs?: number
  /**
   * Context window asked of the model, in tokens. Default 8192. Ollama's own default (2048–4096
   * by version) is smaller than a prompt with its sources, and Ollama silently drops the start of
   * an over-long prompt: the rules in the system message would be the first to go.
   */
  contextTokens?: number
}

type StopReason = 'aborted' | 'timeout' | 'first-token-timeout'
type Phase = 'status' | 'chat' | 'embed' | 'pull'

/** Creates a gateway to the Ollama server at `host`. Nothing is contacted until a method is called. */
export function createOllamaGateway(options: OllamaGatewayOptions = {}): ModelGateway {
  const host = normalizeHost(options.host)
  const statusTimeoutMs = options.statusTimeoutMs ?? 1500
  const defaultFirstTokenMs = options.firstTokenTimeoutMs ?? 120_000
  const contextTokens = options.contextTokens ?? 8192

  async function status(signal?: AbortSignal): Promise<GatewayStatus> {
    const call = new Call(host, signal)
    call.stopAfter(statusTimeoutMs, 'timeout')
    try {
      const client = call.client('fetch')
      const [version, list] = await Promise.allSettled([client.version(), client.list()])
      if (list.status === 'rejected') throw list.reason
      if (!Array.isArray(list.value?.models)) throw new ShapeError('the model list is missing')
      return {
        reachable: true,
        host,
        version: version.status === 'fulfilled' ? version.value.version : undefined,
        models: list.value.models.map(toModelInfo)
      }
    } catch (err) {
      const error = toLlmError(err, { host, phase: 'status', reason: call.reason, timeoutMs: statusTimeoutMs })
      return { reachable: error.code === 'server-error', host, models: [], error }
    } finally {
      call.dispose()
    }
  }

  async function chat(request: ChatRequest): Promise<string> {
    const { model, messages, signal, onToken } = request
    const firstTokenMs = request.firstTokenTimeoutMs ?? defaultFirstTokenMs
    const call = new Call(host, signal)
    const cancelFirstTokenTimer = firstTokenMs > 0 ? call.stopAfter(firstTokenMs, 'first-token-timeout') : () => {}
    let partial = ''
    try {
      const stream = await call.client('fetch').chat({ model, messages, stream: true, options: { num_ctx: contextTokens } })
      call.attach(stream)
      for await (const part of stream as AsyncIterable<ChatResponse>) {
        const token: unknown = part.message?.content ?? ''
        if (typeof token !== 'string') throw new ShapeError('a chat message without text')
        // Any line means the model is running (a thinking model streams empty content first).
        cancelFirstTokenTimer()
        if (token === '') continue
        partial += token
        if (onToken) call.runCallback(() => onToken(token))
      }
      return partial
    } catch (err) {
      if (call.callbackError !== undefined) throw call.callbackError
      throw toLlmError(err, { host, model, partial, phase: 'chat', reason: call.reason, firstTokenMs })
    } finally {
      call.dispose()
    }
  }

  async function embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return []
    const call = new Call(host, signal)
    try {
      const response = await call.client('buffered').embed({ model, input: texts, truncate: true })
      const vectors: unknown = response?.embeddings
      if (!Array.isArray(vectors) || vectors.length !== texts.length) {
        throw new ShapeError(`${texts.length} vectors were asked for, ${Array.isArray(vectors) ? vectors.length : 'none'} came back`)
      }
      for (const v of vectors) {
        if (!Array.isArray(v) || v.length === 0 || !v.every(Number.isFinite)) throw new ShapeError('a vector that is not a list of numbers')
      }
      return vectors as number[][]
    } catch (err) {
      throw toLlmError(err, { host, model, phase: 'embed', reason: call.reason })
    } finally {
      call.dispose()
    }
  }

  async function pull(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const call = new Call(host, signal)
    try {
      const stream = await call.client('fetch').pull({ model, stream: true })
      call.attach(stream)
      for await (const p of stream) {
        const progress: PullProgress = { status: String(p.status ?? '') }
        if (p.digest) progress.digest = p.digest
        if (typeof p.completed === 'number') progress.completed = p.completed
        if (typeof p.total === 'number') progress.total = p.total
        call.runCallback(() => onProgress(progress))
      }
    } catch (err) {
      if (call.callbackError !== undefined) throw call.callbackError
      throw toLlmError(err, { host, model, phase: 'pull', reason: call.reason })
    } finally {
      call.dispose()
    }
  }

  return { host, status, chat, embed, pull, pickChatModel }
}

/** The base URL as Ollama's own tools read OLLAMA_HOST: scheme defaults to http, port to 11434. */
export function normalizeHost(host: string | undefined): string {
  let h = (host ?? '').trim()
  if (h === '') return DEFAULT_OLLAMA_HOST
  if (h.startsWith(':')) h = `127.0.0.1${h}`
  const explicitScheme = h.includes('://')
  const url = new URL(explicitScheme ? h : `http://${h}`)
  if (!url.port && !explicitScheme) url.port = '11434'
  return url.toString().replace(/\/+$/, '')
}

/**
 * One request's lifetime: the caller's signal, our own time limits, and the client's stream all
 * funnel into one AbortController. The client takes no signal for non-streamed calls and hands
 * out its stream only after the response headers arrive, so the controller reaches the HTTP
 * request through the client's documented `fetch` option; once the stream exists, its own
 * `abort()` is called as well.
 */
class Call {
  readonly controller = new AbortController()
  reason: StopReason | null = null
  callbackError: unknown = undefined
  private stream: { abort(): void } | undefined
  private readonly timers: ReturnType<typeof setTimeout>[] = []
  private readonly onAbort = (): void => this.stop('aborted')

  constructor(
    private readonly host: string,
    private readonly signal: AbortSignal | undefined
  ) {
    if (signal?.aborted) this.stop('aborted')
    else signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /**
   * A client for this call, sending through `fetch`, or through `bufferedFetch` (see transport.ts),
   * which only embeddings use: the status check through it made answers' first tokens later
   * through `documind serve` (bench/notes.md), though it was faster alone.
   */
  client(transport: 'fetch' | 'buffered'): Ollama {
    const own = this.controller.signal
    const send = transport === 'buffered' ? bufferedFetch : fetch
    return new Ollama({
      host: this.host,
      fetch: (input, init) => send(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, own]) : own })
    })
  }

  attach(stream: { abort(): void }): void {
    this.stream = stream
    if (this.reason) stream.abort()
  }

  stop(reason: StopReason): void {
    if (this.reason) return
    this.reason = reason
    this.controller.abort()
    this.stream?.abort()
  }

  /** Stops the call after `ms` unless the returned function is called first. */
  stopAfter(ms: number, reason: StopReason): () => void {
    const timer = setTimeout(() => this.stop(reason), ms)
    this.timers.push(timer)
    return () => clearTimeout(timer)
  }

  /** Runs a caller's callback; if it throws, the request is closed and its error wins. */
  runCallback(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.callbackError = err
      this.stop('aborted')
      throw err
    }
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t)
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}

/** A response that parsed but is not what the API promises. */
class ShapeError extends Error {}

function toModelInfo(m: ModelResponse): ModelInfo {
  const details = m.details ?? ({} as Partial<ModelResponse['details']>)
  const info: ModelInfo = {
    name: m.name ?? m.model,
    size: typeof m.size === 'number' ? m.size : 0,
    isEmbedding: looksLikeEmbeddingModel(m.name ?? m.model, [details.family, ...(details.families ?? [])])
  }
  if (details.family) info.family = details.family
  if (details.parameter_size) info.parameterSize = details.parameter_size
  return info
}

// Failing to connect at all, as opposed to losing a connection that worked.
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'])
const NO_DONE_LINE = 'Did not receive done or success response in stream.'

interface FailureContext {
  host: string
  model?: string
  partial?: string
  phase: Phase
  reason: StopReason | null
  firstTokenMs?: number
  /** The limit behind a 'timeout' stop. */
  timeoutMs?: number
}

function toLlmError(err: unknown, ctx: FailureContext): LlmError {
  if (err instanceof LlmError) return err
  const { host, model = '', phase, reason } = ctx
  const make = (code: LlmError['code'], message: string): LlmError =>
    new LlmError(code, message, { host, model: ctx.model, partial: ctx.partial, cause: err })
  if (reason === 'aborted') return make('aborted', llmMessages.aborted())
  if (reason === 'first-token-timeout') return make('first-token-timeout', llmMessages.firstTokenTimeout(model, ctx.firstTokenMs ?? 0))
  // Something may be listening but not answering: "start Ollama" would be the wrong advice.
  if (reason === 'timeout') return make('unreachable', llmMessages.noAnswer(host, ctx.timeoutMs ?? 0))

  const message = err instanceof Error ? err.message : String(err)
  const status = responseStatus(err)
  if (status !== undefined) {
    if (status === 404 && phase === 'status') return make('unreachable', llmMessages.notOllama(host))
    if (status === 404 && /not found/i.test(message)) return notFound(make, phase, model)
    return make('server-error', llmMessages.serverError(host, message))
  }
  const network = networkCode(err)
  if (network && CONNECT_CODES.has(network) && !ctx.partial) return make('unreachable', llmMessages.unreachable(host))
  if (network || (err instanceof TypeError && /fetch failed|terminated|network/i.test(message))) {
    return make('interrupted', llmMessages.interrupted(host))
  }
  if (err instanceof Error && err.name === 'AbortError') return make('aborted', llmMessages.aborted())
  if (message === NO_DONE_LINE) return make('bad-stream', llmMessages.badStream(host, 'the stream ended before it was complete'))
  if (err instanceof SyntaxError || err instanceof ShapeError) return make('bad-stream', llmMessages.badStream(host, message))
  // Anything else thrown while streaming is an `{"error": …}` line that Ollama sent mid-stream.
  if (phase === 'pull' && /file does not exist|not found/i.test(message)) return notFound(make, phase, model)
  return make('server-error', llmMessages.serverError(host, message))
}

function notFound(make: (code: LlmError['code'], message: string) => LlmError, phase: Phase, model: string): LlmError {
  return make('model-not-found', phase === 'pull' ? llmMessages.modelNotInLibrary(model) : llmMessages.modelNotInstalled(model))
}

/** The HTTP status of the client's ResponseError (a class it does not export). */
function responseStatus(err: unknown): number | undefined {
  if (err instanceof Error && err.name === 'ResponseError' && 'status_code' in err && typeof err.status_code === 'number') {
    return err.status_code
  }
  return undefined
}

/** The system error code (ECONNREFUSED, UND_ERR_SOCKET…) somewhere in an error's cause chain. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code
    if (e instanceof AggregateError) {
      const inner = e.errors.map(networkCode).find(Boolean)
      if (inner) return inner
    }
  }
  return undefined
}
