/**
 * Embeddings from an Ollama embedding model (nomic-embed-text, bge-m3, …) behind the same
 * `Embedder` interface as the built-in one. The vector length is whatever the model gives, found
 * with one probe call, so that the library records the true spec before it stores a vector.
 */
import { LlmError } from '../llm/errors'
import { fullModelName, type ModelGateway } from '../llm/gateway'
import { createOllamaGateway } from '../llm/ollama'
import type { Embedder, EmbedderSpec } from './embedder'

export interface OllamaEmbedderOptions {
  /** Base URL of the Ollama server; ignored when `gateway` is given. */
  host?: string
  /** The embedding model, e.g. "nomic-embed-text". */
  model: string
  /** Cancels the probe call. */
  signal?: AbortSignal
  /** Inputs per /api/embed call. Default 64: large enough to amortise the call, small enough to abort promptly. */
  batchSize?: number
  /** An existing gateway to share (its host wins over `host`). */
  gateway?: ModelGateway
  /** The vector length when already known (recorded in the library): no probe call is made. */
  dim?: number
}

const PROBE_TEXT = 'DocuMind embedding probe'

export class OllamaEmbedder implements Embedder {
  readonly spec: EmbedderSpec

  constructor(
    private readonly gateway: ModelGateway,
    spec: EmbedderSpec,
    private readonly batchSize: number
  ) {
    this.spec = spec
  }

  async embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = []
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize)
      const vectors = await this.embedBatch(batch, signal)
      for (const v of vectors) out.push(this.normalised(v))
    }
    return out
  }

  private async embedBatch(batch: string[], signal?: AbortSignal): Promise<number[][]> {
    try {
      return await this.gateway.embed(this.spec.model, batch, signal)
    } catch (error) {
      // A kept-alive connection that the server closed while this thread was busy parsing fails
      // the next request before any answer. Embedding has no side effects: try once more, on a
      // fresh connection, before failing the whole file.
      if (error instanceof LlmError && error.code === 'interrupted' && !signal?.aborted) return this.gateway.embed(this.spec.model, batch, signal)
      throw error
    }
  }

  async embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array> {
    const [vector] = await this.embedDocuments([text], signal)
    return vector
  }

  private normalised(v: number[]): Float32Array {
    if (v.length !== this.spec.dim) {
      // The model behind the name changed (e.g. re-pulled as another variant); its vectors would
      // not be comparable with the library's, so refuse rather than mix them.
      throw new LlmError(
        'bad-stream',
        `The model "${this.spec.model}" now gives ${v.length}-dimensional vectors instead of ${this.spec.dim}; the library needs re-indexing with it.`,
        { host: this.gateway.host, model: this.spec.model }
      )
    }
    return l2Normalise(v)
  }
}

/**
 * Connects to an Ollama embedding model and learns its vector length with one call. Rejects with
 * an `LlmError` ('unreachable', 'model-not-found', …) if the model cannot embed.
 */
export async function createOllamaEmbedder(options: OllamaEmbedderOptions): Promise<OllamaEmbedder> {
  const gateway = options.gateway ?? createOllamaGateway({ host: options.host })
  // The spec carries the tagged name so "nomic-embed-text" and "nomic-embed-text:latest" are one embedder.
  const model = fullModelName(options.model)
  const dim = options.dim ?? (await gateway.embed(model, [PROBE_TEXT], options.signal))[0].length
  return new OllamaEmbedder(gateway, { kind: 'ollama', model, dim }, Math.max(1, options.batchSize ?? 64))
}

/** Scales to unit length (a zero vector stays zero), so cosine similarity is a dot product. */
export function l2Normalise(v: ArrayLike<number>): Float32Array {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i]
  const out = new Float32Array(v.length)
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale
  return out
}
