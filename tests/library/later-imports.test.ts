/**
 * A later import into an indexed library closes without folding a few new rows into the indexes
 * (see UNINDEXED_ROWS_LEFT in writer.ts): that costs in proportion to the whole library. The rows
 * it leaves out are found all the same, and the first import that leaves more out folds them all in.
 * An import of more rows than that is searchable before the fold, which comes before its writer closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch, nearestChunks } from '../../src/core/retrieval/hybrid'
import { readMeta } from '../../src/core/store/library'
import { unpackPassage } from '../../src/core/store/passage'
import { LibraryReader } from '../../src/core/store/reader'
import { VECTOR_INDEX } from '../../src/core/store/vector-index'
import { LibraryWriter, SEARCHABLE_BEFORE_FOLD_ROWS, UNINDEXED_ROWS_LEFT } from '../../src/core/store/writer'
import { tempDir } from '../engine/support'
import { chunkText, documentBatch, fileCount } from './batches'

const FIRST_DOCUMENTS = 40
const CHUNKS_PER_DOCUMENT = Math.ceil((VECTOR_INDEX.minRows + 200) / FIRST_DOCUMENTS)

describe('later imports into an indexed library', () => {
  const dir = tempDir()
  let embedder: Embedder
  let reader: LibraryReader

  async function importDocuments(first: number, count: number, chunksPerDocument: number): Promise<void> {
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      const { docs, chunks } = await documentBatch(embedder, first, count, chunksPerDocument)
      await writer.commit(docs, chunks)
    } finally {
      await writer.close()
    }
  }

  async function uncovered(): Promise<{ rows: number; fts: number; vector: number }> {
    const table = (await reader.chunks())!
    const indexes = await table.listIndices()
    const unindexed = async (type: string) => (await table.indexStats(indexes.find((index) => index.indexType === type)!.name))!.numUnindexedRows
    return { rows: await table.countRows(), fts: await unindexed('FTS'), vector: await unindexed('IvfRq') }
  }

  /** Files of the documents table: a small import leaves its rows in one of their own until the fold. */
  async function documentFiles(): Promise<number> {
    return fileCount((await reader.documentsTableOrNull())!)
  }

  /** The chunk the vector leg puts first for the embedding of chunk `ord` of document `d`'s own text. */
  async function nearestTo(d: number, ord: number): Promise<string> {
    const meta = await readMeta(dir)
    const vector = await embedder.embedQuery(chunkText(d, ord))
    const rows = await nearestChunks((await reader.chunks())!, vector, 1, meta.vectorIndex).select(['passage', '_distance']).toArray()
    return unpackPassage(rows[0].passage as string).id
  }

  beforeAll(async () => {
    embedder = await createEmbedder({ kind: 'builtin' })
    await importDocuments(0, FIRST_DOCUMENTS, CHUNKS_PER_DOCUMENT)
    reader = await LibraryReader.open(dir)
  }, 120_000)
  afterAll(() => reader?.close())

  it('leave a few new rows outside both indexes, and the search still finds them', async () => {
    const before = await uncovered()
    expect(before.fts).toBe(0)
    expect(before.vector).toBe(0)
    expect(await documentFiles()).toBe(1)

    await importDocuments(1000, 1, 3)
    expect(await uncovered()).toEqual({ rows: before.rows + 3, fts: 3, vector: 3 })
    expect(await documentFiles()).toBe(2)
    const result = await hybridSearch(reader, embedder, 'marker1000x1 lantern', { k: 3 })
    expect(result.hits[0].chunkId).toBe('doc-1000-1')
    expect(await nearestTo(1000, 2)).toBe('doc-1000-2')

    // A second small import adds to them while they stay few.
    await importDocuments(1001, 2, 5)
    expect(await uncovered()).toEqual({ rows: before.rows + 13, fts: 13, vector: 13 })
    expect(await documentFiles()).toBe(3)
    expect((await hybridSearch(reader, embedder, 'marker1002x4 lantern', { k: 3 })).hits[0].chunkId).toBe('doc-1002-4')
  })

  it('fold every left-out row in once an import would leave more than UNINDEXED_ROWS_LEFT out', async () => {
    const before = await uncovered()
    expect(before.fts).toBeGreaterThan(0)
    await importDocuments(2000, 1, UNINDEXED_ROWS_LEFT - before.fts + 1)
    expect(await uncovered()).toEqual({ rows: before.rows + UNINDEXED_ROWS_LEFT - before.fts + 1, fts: 0, vector: 0 })
    expect(await documentFiles()).toBe(1)
    for (const [d, ord] of [[1000, 1], [1002, 4], [2000, 0], [17, 42]]) {
      expect((await hybridSearch(reader, embedder, `marker${d}x${ord} lantern`, { k: 3 })).hits[0].chunkId).toBe(`doc-${d}-${ord}`)
      expect(await nearestTo(d, ord)).toBe(`doc-${d}-${ord}`)
    }
  })
  it('say their documents are searchable before folding more than a few rows in, and fold them before the writer closes', async () => {
    const before = await uncovered()
    expect(before.fts).toBe(0)
    const added = UNINDEXED_ROWS_LEFT * 3
    expect(added).toBeLessThanOrEqual(SEARCHABLE_BEFORE_FOLD_ROWS)
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      const { docs, chunks } = await documentBatch(embedder, 3000, 1, added)
      await writer.commit(docs, chunks)
      await writer.makeSearchable()
      // Searchable, and not folded in yet: both legs find the new rows outside the indexes.
      expect(await uncovered()).toEqual({ rows: before.rows + added, fts: added, vector: added })
      expect((await hybridSearch(reader, embedder, 'marker3000x7 lantern', { k: 3 })).hits[0].chunkId).toBe('doc-3000-7')
      expect(await nearestTo(3000, 9)).toBe('doc-3000-9')
    } finally {
      await writer.close()
    }
    expect(await uncovered()).toEqual({ rows: before.rows + added, fts: 0, vector: 0 })
    expect((await hybridSearch(reader, embedder, 'marker3000x7 lantern', { k: 3 })).hits[0].chunkId).toBe('doc-3000-7')
  })
})
