/**
 * The vector index the writer maintains (src/core/store/vector-index.ts): none below its threshold,
 * an IVF_RQ index from it on, retrained only when the library has grown enough, and searched with
 * settings that keep recall@10 against exact search high. Vectors are drawn around random centres,
 * as embeddings of texts on a few hundred overlapping topics would be (with this much overlap,
 * probing 20 of the 77 partitions finds 87% of the neighbours, 1 partition 47%).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection, Table } from '@lancedb/lancedb'
import { nearestChunks } from '../../src/core/retrieval/hybrid.ts'
import { loadLance } from '../../src/core/store/lance.ts'
import { cosineDistance } from '../../bench/lib/stats.ts'
import { PRELOAD_MAX_BYTES, VECTOR_INDEX, indexesVectors, maintainVectorIndex, partitionsFor, preloadVectorIndex, vectorSearchSettings, type VectorIndexRecord } from '../../src/core/store/vector-index.ts'

const DIM = 128
const ROWS = VECTOR_INDEX.minRows + 1000

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** `count` vectors around the same 300 random centres (the topics), with noise drawn from `seed`. */
function clusteredVectors(count: number, seed: number, dim = DIM): number[][] {
  const gauss = (next: () => number): number => Math.sqrt(-2 * Math.log(next() || 1e-9)) * Math.cos(2 * Math.PI * next())
  const topics = random(1)
  const centres = Array.from({ length: 300 }, () => Array.from({ length: dim }, () => gauss(topics)))
  const next = random(seed)
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(next() * centres.length)]
    return centre.map((value) => value + 1.5 * gauss(next))
  })
}

let dir: string
let db: Connection
let table: Table

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'documind-vector-index-'))
  const lancedb = await loadLance()
  db = await lancedb.connect(dir)
  const vectors = clusteredVectors(ROWS, 1)
  table = await db.createTable('chunks', vectors.map((vector, i) => ({ id: `c${i}`, vector })))
})

afterAll(() => {
  table?.close()
  db?.close()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Recall@10 of the shipped vector leg against exact search. A neighbour counts when it is as near
 * as the tenth exact one (of several equally near vectors, which one comes back is no miss). Its
 * distance is computed here from its vector: without re-ranking the leg's distances are only the
 * codes' estimates.
 */
async function recallAtTen(table: Table, record: VectorIndexRecord, queries: number[][]): Promise<number> {
  let found = 0
  for (const query of queries) {
    const vector = Float32Array.from(query)
    const shipped = (await nearestChunks(table, vector, 50, record).select(['id', 'vector']).toArray()).slice(0, 10)
    const exact = await table.query().nearestTo(vector).distanceType('cosine').bypassVectorIndex().select(['_distance']).limit(10).toArray()
    expect(exact).toHaveLength(10)
    const tenth = exact[9]._distance as number
    found += shipped.filter((row) => cosineDistance(vector, Float32Array.from(row.vector as Iterable<number>)) <= tenth + 1e-6).length
  }
  return found / (queries.length * 10)
}

const hasVectorIndex = async (): Promise<boolean> => (await table.listIndices()).some(indexesVectors)

describe('the vector index', () => {
  let record: VectorIndexRecord | undefined

  it('is not built below the threshold', async () => {
    expect(await maintainVectorIndex(table, VECTOR_INDEX.minRows - 1, undefined)).toBeUndefined()
    expect(await hasVectorIndex()).toBe(false)
    expect(vectorSearchSettings(undefined, DIM)).toBeNull()
  })

  it('is built from the threshold on, with about √rows partitions', async () => {
    record = await maintainVectorIndex(table, ROWS, undefined)
    expect(record).toEqual({ trainedRows: ROWS, partitions: partitionsFor(ROWS), bits: VECTOR_INDEX.bits })
    expect(partitionsFor(ROWS)).toBe(Math.round(Math.sqrt(ROWS)))
    expect(await hasVectorIndex()).toBe(true)
  }, 60_000)

  it('finds at least 95% of the exact ten nearest neighbours', async () => {
    const settings = vectorSearchSettings(record, DIM)!
    expect(settings.nprobes).toBeLessThanOrEqual(record!.partitions)
    expect(await recallAtTen(table, record!, clusteredVectors(40, 2))).toBeGreaterThanOrEqual(0.95)
  })

  it('is loaded whole when a query thread opens the library, unless its codes would take more than the limit', async () => {
    expect(await preloadVectorIndex(table, undefined, DIM)).toBe(false)
    expect(await preloadVectorIndex(table, record, DIM)).toBe(true)
    // The estimate is rows × dimensions × bits / 8 (58 MB for 100,000 768-d chunks with 6-bit
    // codes), from the table's rows, which may be more than the partitions were trained on.
    const bytes = (ROWS * DIM * VECTOR_INDEX.bits) / 8
    expect(bytes).toBeLessThan(PRELOAD_MAX_BYTES)
    expect(await preloadVectorIndex(table, record, DIM, bytes)).toBe(true)
    expect(await preloadVectorIndex(table, record, DIM, bytes - 1)).toBe(false)
    expect(await preloadVectorIndex(table, { ...record!, trainedRows: ROWS / 4 }, DIM, bytes - 1)).toBe(false)
    expect(await recallAtTen(table, record!, clusteredVectors(10, 3))).toBeGreaterThanOrEqual(0.95)
  })

  it('re-ranks candidates unless the codes rank well enough alone', () => {
    const refine = (record: VectorIndexRecord, dimensions: number): number => vectorSearchSettings(record, dimensions)!.refineFactor
    // Codes of 6 bits and more (7 in indexes built before), 512 dimensions and more: not re-ranked
    // up to 250,000 chunks, once beyond.
    expect(refine({ trainedRows: 100_000, partitions: 316, bits: 6 }, 768)).toBe(0)
    expect(refine({ trainedRows: 1_000_000, partitions: 1000, bits: 6 }, 768)).toBe(1)
    expect(refine({ trainedRows: 100_000, partitions: 316, bits: 7 }, 768)).toBe(0)
    expect(refine({ trainedRows: 250_000, partitions: 500, bits: 7 }, 512)).toBe(0)
    expect(refine({ trainedRows: 1_000_000, partitions: 1000, bits: 7 }, 768)).toBe(1)
    // 1-bit codes (an index built before codes had more bits), and fewer dimensions whatever the codes.
    expect(refine({ trainedRows: 100_000, partitions: 316 }, 768)).toBe(2)
    expect(refine({ trainedRows: 100_000, partitions: 316, bits: 1 }, 768)).toBe(2)
    expect(refine({ trainedRows: 1_000_000, partitions: 1000, bits: 1 }, 768)).toBe(5)
    expect(refine({ trainedRows: 100_000, partitions: 316, bits: 7 }, 384)).toBe(5)
  })

  it('probes more of a large index: twelve times the square root of its partitions, at least 60% of them', () => {
    const probes = (partitions: number): number => vectorSearchSettings({ trainedRows: partitions ** 2, partitions }, 768)!.nprobes
    expect(probes(50)).toBe(50)
    expect(probes(310)).toBe(212)
    // At 1M chunks 380 probes of 1,000 found 0.94-0.975 of the exact neighbours; 600 found 0.995.
    expect(probes(1000)).toBe(600)
    expect(probes(3000)).toBe(1800)
  })

  it('is kept until the library has grown enough, then trained again for its new size', async () => {
    expect(await maintainVectorIndex(table, ROWS * (VECTOR_INDEX.retrainGrowth - 1), record)).toBe(record)
    const grown = ROWS * VECTOR_INDEX.retrainGrowth
    expect(await maintainVectorIndex(table, grown, record)).toEqual({ trainedRows: grown, partitions: partitionsFor(grown), bits: VECTOR_INDEX.bits })
  }, 60_000)
})

describe('an index of 768-d vectors', () => {
  const dim = 768
  let db768: Connection
  let table768: Table

  beforeAll(async () => {
    const lancedb = await loadLance()
    db768 = await lancedb.connect(join(dir, 'd768'))
    table768 = await db768.createTable('chunks', clusteredVectors(ROWS, 3, dim).map((vector, i) => ({ id: `c${i}`, vector })))
  }, 60_000)
  afterAll(() => {
    table768?.close()
    db768?.close()
  })

  it('is searched without re-ranking and still finds at least 95% of the exact ten nearest', async () => {
    const record = (await maintainVectorIndex(table768, ROWS, undefined))!
    expect(vectorSearchSettings(record, dim)!.refineFactor).toBe(0)
    expect(await recallAtTen(table768, record, clusteredVectors(40, 4, dim))).toBeGreaterThanOrEqual(0.95)
  }, 60_000)
})
