import { contentTokens } from '../text/analyze'
import type { Embedder, EmbedderSpec } from './embedder'

/**
 * The built-in embedder: signed feature hashing of content tokens (Latin words, lightly stemmed;
 * CJK unigrams and bigrams) and of character trigrams inside Latin words, with sublinear term
 * frequency. It needs no model download and treats Chinese and English alike.
 *
 * It is a lexical embedder: it finds passages that share words (or word pieces) with the query,
 * which the full-text index also does, so retrieval gives it a small weight in fusion. Its value is
 * recall on near-misses the tokenizer cannot see: inflections, compounds, typos.
 */
export const BUILTIN_SPEC: EmbedderSpec = { kind: 'builtin', model: 'hash-v1', dim: 512 }

const TRIGRAM_WEIGHT = 0.35
const CJK_UNIGRAM_WEIGHT = 0.5

export class BuiltinEmbedder implements Embedder {
  readonly spec = BUILTIN_SPEC

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => hashEmbed(text, this.spec.dim))
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return hashEmbed(text, this.spec.dim)
  }
}

/** Embeds one text into an L2-normalised vector of length `dim`. */
export function hashEmbed(text: string, dim: number): Float32Array {
  const counts = new Map<string, number>()
  const add = (feature: string, weight: number): void => {
    counts.set(feature, (counts.get(feature) ?? 0) + weight)
  }
  for (const token of contentTokens(text)) {
    const isCjk = token.charCodeAt(0) > 0x2e80
    if (isCjk) {
      add(token, Array.from(token).length === 1 ? CJK_UNIGRAM_WEIGHT : 1)
      continue
    }
    add(token, 1)
    if (token.length >= 5) {
      const padded = `<${token}>`
      for (let i = 0; i + 3 <= padded.length; i++) add('#' + padded.slice(i, i + 3), TRIGRAM_WEIGHT)
    }
  }

  const vector = new Float32Array(dim)
  for (const [feature, weight] of counts) {
    const h = fnv1a(feature)
    const sign = h & 0x80000000 ? -1 : 1
    // Sublinear weighting: a word said ten times is not ten times as telling.
    vector[h % dim] += sign * (weight >= 1 ? 1 + Math.log(weight) : weight)
  }
  return normalize(vector)
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i]
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum)
    for (let i = 0; i < vector.length; i++) vector[i] *= inv
  }
  return vector
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
