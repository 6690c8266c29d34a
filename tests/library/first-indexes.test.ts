/**
 * A first import ends with both search indexes, built at once when the writer closes (see
 * LibraryWriter.close): the full-text index over every row, and from VECTOR_INDEX.minRows chunks
 * on the vector index, with its record in library.json. Searches then go through both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { readMeta } from '../../src/core/store/library'
import { LibraryReader } from '../../src/core/store/reader'
import { VECTOR_INDEX, partitionsFor } from '../../src/core/store/vector-index'
import { LibraryWriter } from '../../src/core/store/writer'
import { tempDir } from '../engine/support'
import { documentBatch } from './batches'

const DOCUMENTS = 40
const CHUNKS_PER_DOCUMENT = Math.ceil((VECTOR_INDEX.minRows + 200) / DOCUMENTS)

describe('a first import', () => {
  const dir = tempDir()
  let embedder: Embedder
  let reader: LibraryReader
  beforeAll(async () => {
    embedder = await createEmbedder({ kind: 'builtin' })
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      // Two commits, as an import makes several; no index exists until the writer closes.
      for (const first of [0, DOCUMENTS / 2]) {
        const { docs, chunks } = await documentBatch(embedder, first, DOCUMENTS / 2, CHUNKS_PER_DOCUMENT)
        await writer.commit(docs, chunks)
      }
    } finally {
      await writer.close()
    }
    reader = await LibraryReader.open(dir)
  }, 120_000)
  afterAll(() => reader?.close())

  it('ends with the full-text index and the vector index, and the vector index on record', async () => {
    const rows = DOCUMENTS * CHUNKS_PER_DOCUMENT
    expect(rows).toBeGreaterThanOrEqual(VECTOR_INDEX.minRows)
    const table = (await reader.chunks())!
    expect(await table.countRows()).toBe(rows)
    const indexes = await table.listIndices()
    expect(indexes.map((index) => `${index.indexType}(${index.columns.join(',')})`).sort()).toEqual(['FTS(search_text)', 'IvfRq(vector)'])
    // Every row is in the full-text index; the vector index's record says it was trained on every row.
    expect((await table.indexStats(indexes.find((index) => index.indexType === 'FTS')!.name))?.numUnindexedRows).toBe(0)
    expect((await readMeta(dir)).vectorIndex).toEqual({ trainedRows: rows, partitions: partitionsFor(rows), bits: VECTOR_INDEX.bits })
  })

  it('is searched through both', async () => {
    const result = await hybridSearch(reader, embedder, 'marker17x42 lantern', { k: 3 })
    expect(result.notices).toEqual([])
    expect(result.hits[0].chunkId).toBe('doc-17-42')
  })
})

describe('an import whose writer died before it built the indexes', () => {
  it('has them built by the next writer, even one that writes nothing', async () => {
    const dir = tempDir()
    const embedder = await createEmbedder({ kind: 'builtin' })
    // This writer stands for a process killed after its last commit, while it built the indexes:
    // it is never closed, so its lock still names a writer that is not closing anything.
    const died = await LibraryWriter.open(dir, BUILTIN_SPEC)
    const { docs, chunks } = await documentBatch(embedder, 0, DOCUMENTS, CHUNKS_PER_DOCUMENT)
    await died.commit(docs, chunks)
    const reader = await LibraryReader.open(dir)
    try {
      expect(await (await reader.chunks())!.listIndices()).toEqual([])
      // Resuming the import finds every file written, so the next writer commits nothing.
      const next = await LibraryWriter.open(dir, BUILTIN_SPEC)
      await next.close()
      const rows = DOCUMENTS * CHUNKS_PER_DOCUMENT
      const indexes = await (await reader.chunks())!.listIndices()
      expect(indexes.map((index) => `${index.indexType}(${index.columns.join(',')})`).sort()).toEqual(['FTS(search_text)', 'IvfRq(vector)'])
      expect((await readMeta(dir)).vectorIndex).toEqual({ trainedRows: rows, partitions: partitionsFor(rows), bits: VECTOR_INDEX.bits })
      expect((await hybridSearch(reader, embedder, 'marker3x7 lantern', { k: 3 })).hits[0].chunkId).toBe('doc-3-7')
    } finally {
      reader.close()
    }
  }, 120_000)
})
