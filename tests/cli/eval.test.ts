import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATA } from '../engine/support'
import { BUILT, jsonOf, runCli } from './support'

/**
 * Retrieval quality with the default built-in embedder, through the product's own import and
 * search code. Targets: SciFact above Anserini's Lucene BM25 (0.679), DRCD dev at least 0.96.
 */
describe.skipIf(!BUILT)('documind eval', () => {
  it('SciFact nDCG@10 >= 0.679', async () => {
    const result = jsonOf(await runCli(['eval', '--beir', join(DATA, 'beir-scifact'), '--json']))
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['dataset', 'queries', 'ndcg_at_10', 'recall_at_100', 'mrr_at_10', 'ms_per_query']))
    expect(result.queries).toBe(300)
    console.log('SciFact', JSON.stringify(result))
    expect(result.ndcg_at_10).toBeGreaterThanOrEqual(0.679)
  }, 300_000)

  it('DRCD dev nDCG@10 >= 0.96', async () => {
    const result = jsonOf(await runCli(['eval', '--beir', join(DATA, 'drcd-dev'), '--split', 'dev', '--json']))
    expect(result.queries).toBe(3524)
    console.log('DRCD', JSON.stringify(result))
    expect(result.ndcg_at_10).toBeGreaterThanOrEqual(0.96)
  }, 600_000)
})
