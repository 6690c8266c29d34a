import type { Table } from '@lancedb/lancedb'
import { loadLance } from './lance'

/**
 * When and how the writer indexes the chunk vectors.
 *
 * A small library is searched exhaustively: exact, and fast enough. LanceDB's exhaustive search
 * costs about 3 µs per chunk on these machines (12,600 chunks: 35–40 ms; 96,000: 240 ms), so from
 * `minRows` chunks on (about 15 ms of it) the writer builds an IVF_RQ index when it closes (never
 * in the middle of an import, so reading never waits for it): about √rows k-means partitions, each vector kept as RaBitQ codes (1 bit per
 * dimension after a random rotation, so there is no quantizer to train). Measured on 100k chunks
 * of the benchmark corpus on two cores: IVF_PQ with LanceDB's defaults had not finished training
 * after 6 minutes, IVF_HNSW_SQ took 45 s, IVF_RQ 8 s. Rows written later are folded into the
 * existing partitions by LanceDB's optimize; once the library has grown `retrainGrowth` times
 * over since the partitions were trained, they are trained again for its new size.
 */
export const VECTOR_INDEX = {
  minRows: 5_000,
  retrainGrowth: 4,
  /** Vectors sampled per partition to train the partitions (LanceDB's default is 256). */
  sampleRate: 64,
  /** k-means iterations (LanceDB's default is 50; partitions barely move after 10). */
  maxIterations: 10
} as const

/**
 * How the vector leg searches the index: how many partitions it probes, and how many candidates
 * per wanted one it re-ranks by their exact distance (the 1-bit codes only approximate it).
 *
 * Recall is bounded by the partitions probed, and measured against exact search it needs more of
 * them on a small index than a fixed share: with vectors of little cluster structure (hashed word
 * features, like the built-in embedder's and the test server's) recall@10 was 0.956 probing 56 of
 * 112 partitions (12,600 chunks); at 96,000 chunks (310 partitions, 100 queries) 0.905 with 78,
 * 0.971 with 159 and 0.991 with 220 (the last two re-ranking twice the candidates); 0.988 with
 * 250 of 1,000 at 1M chunks. So the probes grow with the square root of the partitions (twelve
 * times it: 212 of 310, all of a small index), never fewer than 60, and never fewer than 60% of
 * them: on one 1M-chunk index (1,000 partitions, 60 queries, two rounds) 380 probes gave 0.975
 * whether re-ranking 5, 10 or 20 times the candidates, 600 gave 0.995 at the same latency (p50
 * 19-24 ms for the leg's query either way), and full runs of the benchmark with 380 had given
 * 0.970, 0.964 and 0.940: past a few hundred partitions the misses are partitions not probed.
 * Probes are cheap, re-ranking is not: at 96,000 chunks a vector query took 5.8 ms with 10 probes and 8.9 ms
 * with 212, and re-ranking 2 or 5 times the candidates added 2 and 4 ms. How many need re-ranking
 * depends on the dimensions and on how crowded the space is: the codes' distance error shrinks as
 * 1/√dimensions, while more vectors put more of them within that error of the true neighbours.
 * At 96,000 768-d chunks twice the candidates gave recall 0.991 with 220 probes (0.968 with none
 * beyond the 50 wanted); at 1M, twice gave 0.928 and five times 0.970 (380 probes); the 128-d
 * vectors of the tests needed five at 6,000. So libraries of 512 dimensions and more (the built-in
 * embedder, nomic-embed-text, mxbai-embed-large) whose index was trained on up to 250,000 chunks
 * re-rank twice the candidates; larger ones, and smaller models (all-minilm's 384), five times.
 */
export const VECTOR_SEARCH = { probesPerSqrtPartition: 12, minProbes: 60, minShare: 0.6, refineFactor: { light: 2, full: 5, lightUpToRows: 250_000, lightFromDimensions: 512 } } as const

/** The search settings for a library's vector index of `dimensions`-d vectors; null when it has none (exhaustive search). */
export function vectorSearchSettings(record: VectorIndexRecord | undefined, dimensions: number): { nprobes: number; refineFactor: number } | null {
  if (!record) return null
  const bySqrt = Math.ceil(VECTOR_SEARCH.probesPerSqrtPartition * Math.sqrt(record.partitions))
  const wanted = Math.max(VECTOR_SEARCH.minProbes, bySqrt, Math.ceil(VECTOR_SEARCH.minShare * record.partitions))
  const refine = VECTOR_SEARCH.refineFactor
  const light = dimensions >= refine.lightFromDimensions && record.trainedRows <= refine.lightUpToRows
  return { nprobes: Math.min(record.partitions, wanted), refineFactor: light ? refine.light : refine.full }
}

/** Partitions for a table of `rows` vectors: about the square root, as LanceDB advises. */
export function partitionsFor(rows: number): number {
  return Math.max(1, Math.round(Math.sqrt(rows)))
}

/** What the library's record says about its vector index (kept in library.json). */
export interface VectorIndexRecord {
  /** Rows the partitions were trained on. */
  trainedRows: number
  partitions: number
}

/**
 * Builds or retrains the vector index when the table calls for it; returns the new record, or
 * the old one when nothing was done. An index that already exists has new rows folded in by
 * LanceDB's optimize, which the writer runs anyway.
 */
export async function maintainVectorIndex(table: Table, rows: number, record: VectorIndexRecord | undefined): Promise<VectorIndexRecord | undefined> {
  const hasIndex = (await table.listIndices()).some((index) => index.columns.includes('vector'))
  const due = hasIndex && record ? rows >= record.trainedRows * VECTOR_INDEX.retrainGrowth : rows >= VECTOR_INDEX.minRows
  if (!due) return hasIndex ? record : undefined
  const { Index } = await loadLance()
  const partitions = partitionsFor(rows)
  await table.createIndex('vector', {
    config: Index.ivfRq({ distanceType: 'cosine', numPartitions: partitions, sampleRate: VECTOR_INDEX.sampleRate, maxIterations: VECTOR_INDEX.maxIterations }),
    replace: true
  })
  return { trainedRows: rows, partitions }
}
