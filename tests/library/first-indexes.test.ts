/**
 * A first import ends with both search indexes (see LibraryWriter): once every document is
 * written, `makeSearchable` builds the full-text index over every row, and the documents are
 * found through both legs (the vector leg exhaustively); `close` then compacts the commits' files
 * into one and builds the vector index
 * from VECTOR_INDEX.minRows chunks on, with its record in library.json. Searches then go through
 * both indexes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Table } from '@lancedb/lancedb'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch, nearestChunks, type SearchResult, type SearchSteps } from '../../src/core/retrieval/hybrid'
import { readMeta, type LibraryMeta } from '../../src/core/store/library'
import { LibraryReader } from '../../src/core/store/reader'
import { VECTOR_INDEX, partitionsFor } from '../../src/core/store/vector-index'
import { LibraryWriter } from '../../src/core/store/writer'
import { tempDir } from '../engine/support'
import { chunkText, documentBatch, fileCount } from './batches'

const DOCUMENTS = 40
const CHUNKS_PER_DOCUMENT = Math.ceil((VECTOR_INDEX.minRows + 200) / DOCUMENTS)

const indexNames = async (table: Table): Promise<string[]> => (await table.listIndices()).map((index) => `${index.indexType}(${index.columns.join(',')})`).sort()

describe('a first import', () => {
  const dir = tempDir()
  let embedder: Embedder
  let reader: LibraryReader
  /** What a reader saw between `makeSearchable` and `close`. */
  let searchable: { indexes: string[]; files: number; meta: LibraryMeta; search: SearchResult; nearest: string[] }
  beforeAll(async () => {
    embedder = await createEmbedder({ kind: 'builtin' })
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      // Two commits, as an import makes several; no index exists until the import's end.
      for (const first of [0, DOCUMENTS / 2]) {
        const { docs, chunks } = await documentBatch(embedder, first, DOCUMENTS / 2, CHUNKS_PER_DOCUMENT)
        await writer.commit(docs, chunks)
      }
      await writer.makeSearchable()
      reader = await LibraryReader.open(dir)
      const table = (await reader.chunks())!
      const meta = await readMeta(dir)
      const [vector] = await embedder.embedDocuments([chunkText(29, 3)])
      searchable = {
        indexes: await indexNames(table),
        files: await fileCount(table),
        meta,
        search: await hybridSearch(reader, embedder, 'marker17x42 lantern', { k: 3 }),
        nearest: (await nearestChunks(table, Float32Array.from(vector), 3, meta.vectorIndex).select(['id', '_distance']).toArray()).map((row) => row.id as string)
      }
    } finally {
      await writer.close()
    }
  }, 120_000)
  afterAll(() => reader?.close())

  it('is searchable through both legs before the vector index is built', () => {
    expect(searchable.indexes).toEqual(['FTS(search_text)'])
    // One file per commit until then.
    expect(searchable.files).toBe(2)
    expect(searchable.meta.vectorIndex).toBeUndefined()
    expect(searchable.search.notices).toEqual([])
    expect(searchable.search.hits[0].chunkId).toBe('doc-17-42')
    // The vector leg alone, exhaustive: a chunk's own text finds it first.
    expect(searchable.nearest[0]).toBe('doc-29-3')
  })

  it('ends with the full-text index and the vector index, and the vector index on record', async () => {
    const rows = DOCUMENTS * CHUNKS_PER_DOCUMENT
    expect(rows).toBeGreaterThanOrEqual(VECTOR_INDEX.minRows)
    const table = (await reader.chunks())!
    expect(await table.countRows()).toBe(rows)
    expect(await indexNames(table)).toEqual(['FTS(search_text)', 'IvfRq(vector)'])
    // The commits' files were compacted into one before the vector index was built from them.
    expect(await fileCount(table)).toBe(1)
    const indexes = await table.listIndices()
    // Every row is in the full-text index; the vector index's record says it was trained on every row.
    expect((await table.indexStats(indexes.find((index) => index.indexType === 'FTS')!.name))?.numUnindexedRows).toBe(0)
    expect((await readMeta(dir)).vectorIndex).toEqual({ trainedRows: rows, partitions: partitionsFor(rows), bits: VECTOR_INDEX.bits })
  })

  it('is searched through both', async () => {
    const result = await hybridSearch(reader, embedder, 'marker17x42 lantern', { k: 3 })
    expect(result.notices).toEqual([])
    expect(result.hits[0].chunkId).toBe('doc-17-42')
  })

  it('says when each step of a search ended, in the order they can end', async () => {
    const steps: SearchSteps = {}
    const started = performance.now()
    await hybridSearch(reader, embedder, 'marker17x42 lantern', { k: 3, steps })
    const took = performance.now() - started
    const { settings, embedding, keyword, vector, winners } = steps as Required<SearchSteps>
    for (const step of [settings, embedding, keyword, vector, winners]) expect(step).toBeGreaterThan(0)
    // The legs start once the settings are read; the vector leg waits for the embedding; the
    // winners are read after both legs; and all of it within the search.
    expect(settings).toBeLessThanOrEqual(Math.min(keyword, vector))
    expect(embedding).toBeLessThanOrEqual(vector)
    expect(Math.max(keyword, vector)).toBeLessThanOrEqual(winners)
    expect(winners).toBeLessThanOrEqual(took)
    // Keyword search only: no embedding or vector step.
    const keywordOnly: SearchSteps = {}
    await hybridSearch(reader, null, 'marker17x42 lantern', { k: 3, steps: keywordOnly })
    expect(Object.keys(keywordOnly).sort()).toEqual(['keyword', 'settings', 'winners'])
  })
})

/**
 * A library whose writer stands for a process killed after its last commit: it is never closed,
 * so its lock still names a writer that is not closing anything. With `searchable`, it was killed
 * while it built the vector index, after the full-text index.
 */
async function diedWriterLibrary(searchable: boolean): Promise<{ dir: string; embedder: Embedder; reader: LibraryReader }> {
  const dir = tempDir()
  const embedder = await createEmbedder({ kind: 'builtin' })
  const died = await LibraryWriter.open(dir, BUILTIN_SPEC)
  const { docs, chunks } = await documentBatch(embedder, 0, DOCUMENTS, CHUNKS_PER_DOCUMENT)
  await died.commit(docs, chunks)
  if (searchable) await died.makeSearchable()
  return { dir, embedder, reader: await LibraryReader.open(dir) }
}

describe('an import whose writer died before it built the indexes', () => {
  it('has them built by the next writer, even one that writes nothing', async () => {
    const { dir, embedder, reader } = await diedWriterLibrary(false)
    try {
      expect(await indexNames((await reader.chunks())!)).toEqual([])
      // Resuming the import finds every file written, so the next writer commits nothing.
      const next = await LibraryWriter.open(dir, BUILTIN_SPEC)
      await next.close()
      const rows = DOCUMENTS * CHUNKS_PER_DOCUMENT
      expect(await indexNames((await reader.chunks())!)).toEqual(['FTS(search_text)', 'IvfRq(vector)'])
      expect((await readMeta(dir)).vectorIndex).toEqual({ trainedRows: rows, partitions: partitionsFor(rows), bits: VECTOR_INDEX.bits })
      expect((await hybridSearch(reader, embedder, 'marker3x7 lantern', { k: 3 })).hits[0].chunkId).toBe('doc-3-7')
    } finally {
      reader.close()
    }
  }, 120_000)

  it('has its vector index built by the next writer when it died once the documents were searchable', async () => {
    const { dir, reader } = await diedWriterLibrary(true)
    try {
      expect(await indexNames((await reader.chunks())!)).toEqual(['FTS(search_text)'])
      const next = await LibraryWriter.open(dir, BUILTIN_SPEC)
      await next.close()
      expect(await indexNames((await reader.chunks())!)).toEqual(['FTS(search_text)', 'IvfRq(vector)'])
      expect((await readMeta(dir)).vectorIndex?.trainedRows).toBe(DOCUMENTS * CHUNKS_PER_DOCUMENT)
    } finally {
      reader.close()
    }
  }, 120_000)
})
