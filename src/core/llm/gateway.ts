/**
 * The model gateway: what the engine needs from a local model server, whichever server it is.
 * The answer flow and the embedder code against this interface; `ollama.ts` implements it.
 */
import type { LlmError } from './errors'

/** One message of a chat, as the model sees it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** An installed model. */
export interface ModelInfo {
  /** Full name with tag, e.g. "llama3.2:latest". */
  name: string
  /** Size on disk in bytes. */
  size: number
  family?: string
  /** e.g. "3.2B". */
  parameterSize?: string
  /** True for embedding-only models, which cannot chat. */
  isEmbedding: boolean
}

/** What the model server looks like right now. `status` never throws; failures land in `error`. */
export interface GatewayStatus {
  /** True when an Ollama server answered (it may still have reported an error). */
  reachable: boolean
  host: string
  version?: string
  models: ModelInfo[]
  error?: LlmError
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  signal?: AbortSignal
  /** Called once per streamed token, in order, as it arrives. */
  onToken?: (token: string) => void
  /** Give up (code 'first-token-timeout') if nothing has streamed by then. 0 waits for ever. */
  firstTokenTimeoutMs?: number
}

/** One progress report of a pull, as Ollama words it ("pulling manifest", "pulling 1a2b3c…", "success"). */
export interface PullProgress {
  status: string
  digest?: string
  completed?: number
  total?: number
}

/** Every method rejects with an `LlmError` (except `status`, which reports it). */
export interface ModelGateway {
  /** The normalised base URL, e.g. http://127.0.0.1:11434. */
  readonly host: string
  /** Whether the server answers, and which models it has; a down server is reported within ~1.5 s. */
  status(signal?: AbortSignal): Promise<GatewayStatus>
  /** Streams a chat answer token by token and resolves with the whole text. */
  chat(request: ChatRequest): Promise<string>
  /** One vector per text, in order, as the model returns them (not normalised here). */
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]>
  /** Downloads a model, reporting progress; resolves after Ollama reports success. */
  pull(model: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void>
  /** See {@link pickChatModel}. */
  pickChatModel(models: ModelInfo[], preferred?: string): string | null
}

/** "llama3.2" and "llama3.2:latest" name the same model, as they do in Ollama. */
export function sameModelName(a: string, b: string): boolean {
  return fullModelName(a) === fullModelName(b)
}

/** The name with its tag, as Ollama lists it: "llama3.2" becomes "llama3.2:latest". */
export function fullModelName(name: string): string {
  const trimmed = name.trim()
  const lastSegment = trimmed.split('/').pop() ?? trimmed
  return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`
}

/** The installed model named `name` (tag optional), if any. */
export function findModel(models: ModelInfo[], name: string): ModelInfo | undefined {
  return models.find((m) => sameModelName(m.name, name))
}

/**
 * The model to chat with: the preferred one if it is installed and can chat, else the first
 * installed model that is not an embedding model, else null (nothing can answer).
 */
export function pickChatModel(models: ModelInfo[], preferred?: string): string | null {
  const wanted = preferred ? findModel(models, preferred) : undefined
  if (wanted && !wanted.isEmbedding) return wanted.name
  return models.find((m) => !m.isEmbedding)?.name ?? null
}

/**
 * Ollama's model list does not say what a model can do, so this goes by the signs that hold for
 * the embedding models in its library: "embed" in the name (nomic-embed-text, mxbai-embed-large,
 * qwen3-embedding) or a BERT-family architecture (bert, nomic-bert, xlm-roberta: bge-m3, all-minilm).
 */
export function looksLikeEmbeddingModel(name: string, families: (string | null | undefined)[]): boolean {
  return /embed/i.test(name) || families.some((f) => typeof f === 'string' && /bert/i.test(f))
}
