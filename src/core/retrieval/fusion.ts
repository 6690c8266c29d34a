import type { EmbedderKind } from '../embed/embedder'

/** One leg's candidates with their relevance (higher is better) and the leg's weight. */
export interface ScoredLeg<T> {
  weight: number
  rows: Array<{ item: T; relevance: number }>
}

/**
 * Convex combination of normalised scores: each candidate scores sum(weight * normalised relevance)
 * over the legs that returned it, a leg's relevance being scaled to [0, 1] by min-max over its own
 * candidates (BM25 by its maximum, since BM25 is 0 for a text without any query term).
 *
 * Chosen over reciprocal rank fusion after measuring both (`documind eval`): RRF gives every leg's
 * first ranks nearly the same credit, so a weak leg reorders the top of a strong one even at a
 * small weight (SciFact nDCG@10 0.692 keyword-only fell to 0.687 with the built-in vectors at RRF
 * weight 0.05, and to 0.659 at 0.2), while a convex combination lets a weak leg move only
 * candidates whose keyword scores are close (0.694 at weight 0.1). Bruch et al., "An Analysis of
 * Fusion Functions for Hybrid Retrieval" (TOIS 2023), report the same.
 */
export function fuseScores<T>(legs: Array<ScoredLeg<T> & { normalise: 'max' | 'min-max' }>, keyOf: (item: T) => string): Array<{ item: T; score: number }> {
  const fused = new Map<string, { item: T; score: number }>()
  for (const leg of legs) {
    if (leg.weight <= 0 || leg.rows.length === 0) continue
    let hi = -Infinity
    let lo = Infinity
    for (const row of leg.rows) {
      hi = Math.max(hi, row.relevance)
      lo = Math.min(lo, row.relevance)
    }
    if (leg.normalise === 'max') lo = 0
    const span = hi - lo
    for (const row of leg.rows) {
      const key = keyOf(row.item)
      const entry = fused.get(key) ?? { item: row.item, score: 0 }
      entry.score += leg.weight * (span > 0 ? (row.relevance - lo) / span : 1)
      fused.set(key, entry)
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score)
}

/**
 * How much each leg counts. A semantic embedder (an Ollama embedding model) finds passages that
 * share meaning but not words with the query, so it counts as much as keyword search. The built-in
 * embedder hashes the same words BM25 already ranks, less precisely (alone it scores SciFact
 * nDCG@10 0.51 against BM25's 0.69), so it counts for a tenth: enough to order near-ties and to
 * bring in near-miss spellings the tokenizer cannot match, not enough to overrule BM25.
 */
export function legWeights(embedder: EmbedderKind | null): { fts: number; vector: number } {
  if (embedder === 'ollama') return { fts: 0.5, vector: 0.5 }
  if (embedder === 'builtin') return { fts: 0.9, vector: 0.1 }
  return { fts: 1, vector: 0 }
}
