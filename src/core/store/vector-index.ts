import type { Table } from '@lancedb/lancedb'
import { loadLance } from './lance'
import { removingLanceScratch } from './scratch'

/**
 * When and how the writer indexes the chunk vectors.
 *
 * A small library is searched exhaustively: exact, and fast enough. LanceDB's exhaustive search
 * costs about 3 µs per chunk on these machines (12,600 chunks: 35–40 ms; 96,000: 240 ms; measured
 * again on 2026-11-30, 96,187 chunks in the 53 files an import leaves: 460–535 ms median), so from
 * `minRows` chunks on (about 15 ms of it) the writer builds an IVF_RQ index when it closes (never
 * in the middle of an import, so reading never waits for it): about √rows k-means partitions, each
 * vector kept as RaBitQ codes (a random rotation, then `bits` bits per dimension; there is no
 * quantizer to train). Measured on 100k chunks of the benchmark corpus on two cores: IVF_PQ with
 * LanceDB's defaults had not finished training after 6 minutes, IVF_HNSW_SQ took 45 s, IVF_RQ 5 s
 * with 1-bit codes. Rows written later are folded into the existing partitions by LanceDB's
 * optimize; once the library has grown `retrainGrowth` times over since the partitions were
 * trained, they are trained again for its new size.
 *
 * The codes have had more than 1 bit per dimension since 2026-11-30. With 1-bit codes the order
 * of the nearest chunks is rough (recall@10 0.69–0.75 against exact search at 100k chunks), so the
 * vector leg re-ranked twice its candidates by their stored vectors, and reading those vectors
 * back (LanceDB takes them row by row) was half of the leg's CPU. Codes of 6 bits and more rank
 * well enough alone (see `VECTOR_SEARCH`), and each bit beyond the first adds about 1.8 s to the
 * build at 96,187 chunks: built twice each and alternated, 6.1–6.2 s with 1 bit,
 * 12.8–14.2 s with 6 and 17.0–17.5 s with 7, peaking at 0.45, 0.69–0.71 and 0.74–0.76 GB. The
 * codes were 7 bits at first; with 6 the step of a first import after its documents are
 * searchable (the vector leg searching exhaustively meanwhile) took 11.1–11.4 s instead of
 * 14.0–15.7 s (whole imports of the benchmark corpus alternated twice) for recall@10 0.975
 * instead of 0.985 at 100k chunks (200 questions, the benchmark's grown library), with hybrid
 * search no slower (p50 13.2–14.4 ms against 13.8–16.0, three rounds alternated) and the same
 * SciFact nDCG@10 (0.6927). The other ways to a faster build were not taken: k-means on fewer of
 * each partition's vectors (32 instead of 64 left LanceDB's k-means with empty clusters), or
 * fewer iterations (5 instead of 10 saved about 1 s).
 */
export const VECTOR_INDEX = {
  minRows: 5_000,
  retrainGrowth: 4,
  /** Vectors sampled per partition to train the partitions (LanceDB's default is 256). */
  sampleRate: 64,
  /** k-means iterations (LanceDB's default is 50; partitions barely move after 10). */
  maxIterations: 10,
  /** Bits per dimension of the RaBitQ codes (LanceDB's default is 1; 7 until run 32 of the benchmark). */
  bits: 6
} as const

/**
 * How the vector leg searches the index: how many partitions it probes, and how many candidates
 * per wanted one it re-ranks by their exact distance (the codes only approximate it).
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
 *
 * Probes are cheap, re-ranking is not: at 100,000 chunks (214 probes, 50 wanted) the leg's query
 * took 3.6–4.5 ms p50 without re-ranking, 7.3–8.6 ms re-ranking the 50 and 9.0–11.7 ms re-ranking
 * 100; its CPU 4.2–5.2, 8.1–10.3 and 11.1–13.4 ms. How many need re-ranking depends on the codes,
 * the dimensions and how crowded the space is: a code's distance error shrinks with more bits and
 * as 1/√dimensions, while more vectors put more of them within that error of the true neighbours.
 * Measured on 768-d vectors of the benchmark corpus (60 queries per figure; recall@10 counts a
 * neighbour as near as the tenth exact one):
 * - at 100,000 chunks, not re-ranked: 0.69–0.75 with 1-bit codes, 0.94 with 4 bits, 0.96–0.97
 *   with 5 and 6, 0.974–0.983 with 7, 0.98 with 8; 1-bit codes re-ranking once the candidates
 *   0.973–0.988, twice 0.974–0.998;
 * - at 1M chunks (600 probes): 1-bit codes 0.63 not re-ranked, 0.978 twice, 0.997 five times; 7-bit
 *   codes 0.978 not re-ranked, 0.993 once. Earlier full runs with 1-bit codes re-ranking twice gave
 *   0.928, so beyond 250,000 chunks the codes' order is checked.
 * - 6-bit codes at 100,000 chunks, not re-ranked: 0.975 (200 queries, against 0.985 with 7).
 * So from 512 dimensions (the built-in embedder, nomic-embed-text, mxbai-embed-large) codes of 6
 * bits and more are not re-ranked up to 250,000 chunks and re-ranked once beyond; 1-bit codes
 * (indexes built before) twice, and five times beyond. Smaller models (all-minilm's 384) were not
 * measured with many-bit codes, and re-rank five times whatever the codes (the 128-d vectors of
 * the tests needed that with 1-bit codes at 6,000).
 */
export const VECTOR_SEARCH = {
  probesPerSqrtPartition: 12,
  minProbes: 60,
  minShare: 0.6,
  refineFactor: {
    fromDimensions: 512,
    fewRows: 250_000,
    manyBitsFrom: 6,
    /** Up to `fewRows` chunks and beyond. */
    manyBits: { few: 0, more: 1 },
    oneBit: { few: 2, more: 5 },
    fewerDimensions: 5
  }
} as const

/**
 * The search settings for a library's vector index of `dimensions`-d vectors; null when it has none
 * (exhaustive search). `refineFactor` 0: the codes' own order, not re-ranked.
 */
export function vectorSearchSettings(record: VectorIndexRecord | undefined, dimensions: number): { nprobes: number; refineFactor: number } | null {
  if (!record) return null
  const bySqrt = Math.ceil(VECTOR_SEARCH.probesPerSqrtPartition * Math.sqrt(record.partitions))
  const wanted = Math.max(VECTOR_SEARCH.minProbes, bySqrt, Math.ceil(VECTOR_SEARCH.minShare * record.partitions))
  const refine = VECTOR_SEARCH.refineFactor
  const codes = (record.bits ?? 1) >= refine.manyBitsFrom ? refine.manyBits : refine.oneBit
  const factor = dimensions < refine.fromDimensions ? refine.fewerDimensions : record.trainedRows <= refine.fewRows ? codes.few : codes.more
  return { nprobes: Math.min(record.partitions, wanted), refineFactor: factor }
}

/**
 * The largest vector index a query thread loads whole when it opens the library (its codes,
 * estimated as rows × dimensions × bits / 8; 58 MB for 100,000 768-d chunks with 6-bit codes).
 *
 * A search reads the partitions it probes, at least 60% of them, and keeps them in LanceDB's cache,
 * so after a few questions most of the index is in memory anyway; what loading it first changes
 * is who waits. Without it the first questions after launch waited for the partitions they were
 * the first to probe, even after the launch task's five rehearsals: at 100,000 chunks the vector
 * query of the benchmark's first four questions took 8–29 ms, against 5–6 ms for the ones after
 * (two fresh processes each); with the index loaded first (72–76 ms at launch) 5–6 ms from the
 * first, and the process's memory after 60 questions was the same (290–294 MB). Larger indexes
 * (beyond about 250,000 chunks at 768 dimensions) are left to load as questions reach them, so
 * that opening a very large library does not take hundreds of megabytes at once.
 */
export const PRELOAD_MAX_BYTES = 160 * 1024 * 1024

/**
 * Loads the table's vector index into LanceDB's cache when its codes would take at most `maxBytes`
 * (see `PRELOAD_MAX_BYTES`). The estimate counts the table's rows, not those the partitions were
 * trained on: the index holds every row folded in since, up to `retrainGrowth` times as many.
 */
export async function preloadVectorIndex(table: Table, record: VectorIndexRecord | undefined, dimensions: number, maxBytes = PRELOAD_MAX_BYTES): Promise<boolean> {
  if (!record) return false
  const [rows, indices] = await Promise.all([table.countRows(), table.listIndices()])
  if ((Math.max(rows, record.trainedRows) * dimensions * (record.bits ?? 1)) / 8 > maxBytes) return false
  const index = indices.find(indexesVectors)
  if (!index) return false
  await table.prewarmIndex(index.name)
  return true
}

/** Whether one of a table's indexes (as `listIndices` gives them) is the chunk vectors' index. */
export function indexesVectors(index: { columns: string[] }): boolean {
  return index.columns.includes('vector')
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
  /** Bits per dimension of its codes; absent in indexes built before they had more than 1. */
  bits?: number
}

/**
 * Builds or retrains the vector index when the table calls for it; returns the new record, or
 * the old one when nothing was done. An index that already exists has new rows folded in by
 * LanceDB's optimize, which the writer runs anyway.
 */
export async function maintainVectorIndex(table: Table, rows: number, record: VectorIndexRecord | undefined): Promise<VectorIndexRecord | undefined> {
  const hasIndex = (await table.listIndices()).some(indexesVectors)
  const due = hasIndex && record ? rows >= record.trainedRows * VECTOR_INDEX.retrainGrowth : rows >= VECTOR_INDEX.minRows
  if (!due) return hasIndex ? record : undefined
  const { Index } = await loadLance()
  const partitions = partitionsFor(rows)
  // The build shuffles the vectors through a folder LanceDB does not remove (see scratch.ts).
  await removingLanceScratch(() =>
    table.createIndex('vector', {
      config: Index.ivfRq({ distanceType: 'cosine', numPartitions: partitions, numBits: VECTOR_INDEX.bits, sampleRate: VECTOR_INDEX.sampleRate, maxIterations: VECTOR_INDEX.maxIterations }),
      replace: true
    })
  )
  return { trainedRows: rows, partitions, bits: VECTOR_INDEX.bits }
}
