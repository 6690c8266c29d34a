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
 * How the vector leg searches the index: the share of partitions it probes, and how many
 * candidates per wanted one it re-ranks by their exact distance (the codes only approximate it).
 * Recall is bounded by the partitions probed. Vectors with little cluster structure (hashed word
 * features, like the built-in embedder's and the test server's) need about a quarter of them for
 * recall@10 >= 0.95 against exact search on a large library (0.965 at 100k chunks with 80 of 310
 * partitions, against 0.92 with an eighth; 0.988 at 1M with 250 of 1000), and on a small one a
 * floor of about 60 (12,600 chunks, 112 partitions: 28 probes 0.88, 56 probes 0.956). An
 * embedding model's vectors cluster more tightly, so this errs on the side of recall.
 */
export const VECTOR_SEARCH = { probeShare: 0.25, minProbes: 60, refineFactor: 5 } as const

/** The search settings for a library's vector index; null when it has none (exhaustive search). */
export function vectorSearchSettings(record: VectorIndexRecord | undefined): { nprobes: number; refineFactor: number } | null {
  if (!record) return null
  const nprobes = Math.min(record.partitions, Math.max(VECTOR_SEARCH.minProbes, Math.ceil(record.partitions * VECTOR_SEARCH.probeShare)))
  return { nprobes, refineFactor: VECTOR_SEARCH.refineFactor }
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
