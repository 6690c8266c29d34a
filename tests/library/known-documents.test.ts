/**
 * An import asks the writer only for the rows of its own files and of the documents they could be
 * copies of (`LibraryWriter.known`): with a filter for a few files, by reading every row for many.
 * Either way it gets the same rows, and documents it replaces lose their old chunks.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { plainRows } from '../../src/core/store/arrow'
import { LibraryReader } from '../../src/core/store/reader'
import { LibraryWriter, type KnownDocument } from '../../src/core/store/writer'
import { tempDir } from '../engine/support'
import { documentBatch } from './batches'

describe('the rows an import looks up', () => {
  const dir = tempDir()
  let embedder: Embedder

  /** Documents `first`.. as `documentBatch` makes them, with their own sizes and, if given, a new content hash. */
  async function batch(first: number, count: number, hash?: string) {
    const { docs, chunks } = await documentBatch(embedder, first, count, 2)
    docs.forEach((doc, i) => {
      doc.size = 1000 + first + i
      if (hash) doc.hash = `${hash}-${first + i}`
    })
    if (hash) chunks.doc_hash = chunks.doc_id.map((id) => `${hash}-${id.slice('doc-'.length)}`)
    return { docs, chunks }
  }

  async function withWriter<T>(work: (writer: LibraryWriter) => Promise<T>): Promise<T> {
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      return await work(writer)
    } finally {
      await writer.close()
    }
  }

  const ids = (rows: KnownDocument[]) => rows.map((row) => row.id).sort()

  beforeAll(async () => {
    embedder = await createEmbedder({ kind: 'builtin' })
    await withWriter(async (writer) => {
      const { docs, chunks } = await batch(0, 10)
      docs[7].status = 'failed'
      await writer.commit(docs, chunks)
    })
  }, 60_000)

  it('gives the same rows whether it filters or reads every row', async () => {
    const wanted = ['doc-1', 'doc-3', 'doc-7', 'doc-missing']
    // Sizes of doc-5 (ready) and doc-7 (failed: not a document to be a copy of).
    const sizes = [1005, 1007]
    const filtered = await withWriter((writer) => writer.known(wanted, sizes))
    expect(ids(filtered)).toEqual(['doc-1', 'doc-3', 'doc-5', 'doc-7'])
    expect(filtered.find((row) => row.id === 'doc-3')).toMatchObject({ path: '/notes/3.txt', size: 1003, hash: 'hash-3', status: 'ready' })
    // More ids than the filter takes: every row is read, and the same ones come back.
    const manyIds = wanted.concat(Array.from({ length: 1_000 }, (_, i) => `absent-${i}`))
    const read = await withWriter((writer) => writer.known(manyIds, sizes))
    expect(read.sort((a, b) => a.id.localeCompare(b.id))).toEqual(filtered.sort((a, b) => a.id.localeCompare(b.id)))
  })

  it('replaces documents whether or not the import looked them up', async () => {
    await withWriter(async (writer) => {
      await writer.known(['doc-2'], [1002])
      // doc-2 was looked up; doc-4 was not (its old hash is read then); doc-20 is new.
      const changed = await batch(2, 1, 'new')
      const other = await batch(4, 1, 'new')
      const added = await batch(20, 1)
      await writer.commit(changed.docs, changed.chunks)
      await writer.commit(other.docs, other.chunks)
      await writer.commit(added.docs, added.chunks)
    })
    const reader = await LibraryReader.open(dir)
    try {
      const chunks = plainRows<{ doc_id: string; doc_hash: string }>(await (await reader.chunks())!.query().select(['doc_id', 'doc_hash']).toArrow())
      const hashesOf = (id: string) => [...new Set(chunks.filter((row) => row.doc_id === id).map((row) => row.doc_hash))]
      expect(hashesOf('doc-2')).toEqual(['new-2'])
      expect(hashesOf('doc-4')).toEqual(['new-4'])
      expect(hashesOf('doc-20')).toEqual(['hash-20'])
      expect(hashesOf('doc-3')).toEqual(['hash-3'])
      const documents = await reader.documentsById()
      expect(documents.size).toBe(11)
      expect(documents.get('doc-2')?.hash).toBe('new-2')
    } finally {
      reader.close()
    }
  })
})
