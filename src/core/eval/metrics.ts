/**
 * Ranking metrics as trec_eval and pytrec_eval compute them (the figures BEIR publishes):
 * graded gains, log2 discount, ideal ranking from the judgments.
 */

/** Judged relevance of documents for one query (grade > 0 means relevant). */
export type Judgments = Map<string, number>

export function ndcgAt(k: number, ranked: string[], judged: Judgments): number {
  let dcg = 0
  ranked.slice(0, k).forEach((doc, i) => {
    const gain = judged.get(doc) ?? 0
    if (gain > 0) dcg += gain / Math.log2(i + 2)
  })
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k)
  let idcg = 0
  ideal.forEach((gain, i) => (idcg += gain / Math.log2(i + 2)))
  return idcg > 0 ? dcg / idcg : 0
}

export function recallAt(k: number, ranked: string[], judged: Judgments): number {
  const relevant = [...judged].filter(([, g]) => g > 0).map(([doc]) => doc)
  if (relevant.length === 0) return 0
  const top = new Set(ranked.slice(0, k))
  return relevant.filter((doc) => top.has(doc)).length / relevant.length
}

export function mrrAt(k: number, ranked: string[], judged: Judgments): number {
  const index = ranked.slice(0, k).findIndex((doc) => (judged.get(doc) ?? 0) > 0)
  return index < 0 ? 0 : 1 / (index + 1)
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0
}
