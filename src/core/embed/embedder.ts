/**
 * One interface for every way of turning text into vectors. The spec of the embedder that built a
 * library is stored with it, so that a search with another embedder is refused, never mixed.
 */

export type EmbedderKind = 'builtin' | 'ollama'

/** Identifies an embedder exactly enough to know whether two vectors are comparable. */
export interface EmbedderSpec {
  kind: EmbedderKind
  /** 'hash-v1' for the built-in embedder; the Ollama model name otherwise. */
  model: string
  /** Vector length. */
  dim: number
}

export interface Embedder {
  readonly spec: EmbedderSpec
  /** Embeds passages for indexing; one L2-normalised vector per input, in order. */
  embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>
  /** Embeds a search query. */
  embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array>
}

/** A human-readable name, e.g. "built-in (hash-v1, 512-d)" or "Ollama nomic-embed-text (768-d)". */
export function describeEmbedder(spec: EmbedderSpec): string {
  return spec.kind === 'builtin'
    ? `built-in (${spec.model}, ${spec.dim}-d)`
    : `Ollama ${spec.model} (${spec.dim}-d)`
}

/** True when vectors made by `a` can be compared with vectors made by `b`. */
export function sameEmbedder(a: EmbedderSpec, b: EmbedderSpec): boolean {
  return a.kind === b.kind && a.model === b.model && a.dim === b.dim
}
