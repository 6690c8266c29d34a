/**
 * A search reads its winners' passages from one packed column (see store/passage.ts). A library
 * written before that column is still searched as it was, and its next writer migrates it in place
 * without changing anything a search returns.
 *
 * tests/fixtures/legacy-library is such a library, written by DocuMind before the column existed
 * (its README says how).
 */
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { PASSAGE_SQL, migrateToPassages, packPassage, passageColumns, unpackPassage, type Passage } from '../../src/core/store/passage'
import { LibraryReader } from '../../src/core/store/reader'
import { emptyChunkColumns, pushChunk, type DocumentRecord } from '../../src/core/store/schema'
import { LibraryWriter } from '../../src/core/store/writer'
import { toSearchText } from '../../src/core/text/analyze'
import { tempDir } from '../engine/support'

const LEGACY = join(process.cwd(), 'tests/fixtures/legacy-library')

function legacyCopy(): string {
  const dir = tempDir()
  cpSync(LEGACY, dir, { recursive: true })
  return dir
}

async function columnNames(reader: LibraryReader): Promise<string[]> {
  return (await (await reader.chunks())!.schema()).fields.map((field) => field.name)
}

/** Every chunk of the library as a search shows it, by id. */
async function allPassages(reader: LibraryReader): Promise<Map<string, Passage>> {
  const out = new Map<string, Passage>()
  for (const doc of (await reader.documentsById()).values()) for (const passage of await reader.chunksOf(doc.id)) out.set(passage.id, passage)
  return out
}

/** What a search returns, without the scores (the vector index's training is random). */
async function searchFor(reader: LibraryReader, question: string): Promise<string[]> {
  const embedder = await createEmbedder({ kind: 'builtin' })
  const { hits } = await hybridSearch(reader, embedder, question, { k: 3 })
  return hits.map((hit) => JSON.stringify([hit.chunkId, hit.document, hit.page, hit.headings, hit.start, hit.end, hit.text]))
}

describe('a packed passage', () => {
  const passage: Passage = {
    id: 'd1-abc-0',
    doc_id: 'd1',
    doc_hash: 'abc',
    page: null,
    start: 0,
    end: 12,
    headings: JSON.stringify(['Chapter "1"', 'Séance\u001f', '第一章']),
    text: 'a\u001fb\nc 凍頂烏龍 "quoted"'
  }

  it('unpacks to what was packed, with the separator inside the text and (escaped) in the headings', () => {
    expect(unpackPassage(packPassage(passage))).toEqual(passage)
    expect(unpackPassage(packPassage({ ...passage, page: 0, text: '' }))).toEqual({ ...passage, page: 0, text: '' })
  })

  it('refuses the separator in a field other than the text, and says which chunk', () => {
    expect(() => packPassage({ ...passage, doc_id: 'd\u001f1' })).toThrow(/chunk d1-abc-0 .*U\+001F/)
  })

  it('says so when a stored value is not a packed passage', () => {
    expect(() => unpackPassage('only\u001fthree\u001ffields')).toThrow(/2 of its 8 fields/)
  })
})

describe('a library written before the passage column', () => {
  it('is searched through its old columns until a writer migrates it, and the same after', async () => {
    const dir = legacyCopy()
    const reader = await LibraryReader.open(dir)
    try {
      expect(await columnNames(reader)).toContain('text')
      expect(await reader.passageColumns((await reader.chunks())!)).toEqual(passageColumns(false))
      const before = await allPassages(reader)
      expect(before.size).toBe(10)
      const questions = ['凍頂烏龍', 'lighthouse keeper lens', 'sourdough starter', 'source text pdf']
      const answers = await Promise.all(questions.map((q) => searchFor(reader, q)))
      expect(answers[0][0]).toContain('鹿谷鄉')
      expect(answers.every((hits) => hits.length > 0)).toBe(true)
      // The PDF's chunk keeps its page, the Markdown's their heading paths.
      expect([...before.values()].some((p) => p.page === 1)).toBe(true)
      expect([...before.values()].some((p) => JSON.parse(p.headings).length === 2)).toBe(true)

      const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
      await writer.close()

      const columns = await columnNames(reader)
      expect(columns).toContain('passage')
      expect(columns).not.toContain('text')
      expect(await reader.passageColumns((await reader.chunks())!)).toEqual(passageColumns(true))
      // LanceDB's SQL packed every row as packPassage does.
      const stored = (await (await reader.chunks())!.query().select(['passage']).toArray()).map((row) => row.passage as string)
      expect(stored.sort()).toEqual([...before.values()].map(packPassage).sort())
      expect(await allPassages(reader)).toEqual(before)
      expect(await Promise.all(questions.map((q) => searchFor(reader, q)))).toEqual(answers)
      // The full-text index survived the migration with every row in it.
      const fts = (await (await reader.chunks())!.listIndices()).find((index) => index.indexType === 'FTS')!
      expect((await (await reader.chunks())!.indexStats(fts.name))?.numUnindexedRows).toBe(0)
    } finally {
      reader.close()
    }
  }, 60_000)

  it('takes new documents after the migration', async () => {
    const dir = legacyCopy()
    const embedder = await createEmbedder({ kind: 'builtin' })
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      const now = Date.now()
      const doc: DocumentRecord = {
        id: 'kites', path: '/notes/kites.txt', name: 'kites.txt', title: null, format: 'text', size: 60, mtime: now, hash: 'kites-1', status: 'ready',
        error: null, error_code: null, warnings: '[]', chunk_count: 1, pages: null, created_at: now, updated_at: now
      }
      const text = 'A box kite flies steadily in gusty wind thanks to its cells.'
      const chunks = emptyChunkColumns()
      pushChunk(chunks, { id: 'kites-0', doc_id: 'kites', doc_hash: 'kites-1', ord: 0, search_text: toSearchText(text), page: null, headings: '[]', start: 0, end: text.length, text })
      chunks.vectors = (await embedder.embedDocuments([text]))[0]
      await writer.commit([doc], chunks)
    } finally {
      await writer.close()
    }
    const reader = await LibraryReader.open(dir)
    try {
      expect(await searchFor(reader, 'box kite gusty wind')).toContainEqual(JSON.stringify(['kites-0', 'kites.txt', null, [], 0, 60, 'A box kite flies steadily in gusty wind thanks to its cells.']))
      expect((await allPassages(reader)).size).toBe(11)
    } finally {
      reader.close()
    }
  }, 60_000)

  it('is finished by the next writer when one died between the two steps', async () => {
    const dir = legacyCopy()
    const reader = await LibraryReader.open(dir)
    try {
      const before = await allPassages(reader)
      const table = (await reader.chunks())!
      // The first step alone: the packed column added, the old one still there.
      await table.addColumns([{ name: 'passage', valueSql: PASSAGE_SQL }])
      expect(await reader.passageColumns(table)).toEqual(passageColumns(true))
      expect(await allPassages(reader)).toEqual(before)
      const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
      await writer.close()
      expect(await columnNames(reader)).not.toContain('text')
      expect(await allPassages(reader)).toEqual(before)
      expect(await migrateToPassages(table)).toBe(false)
    } finally {
      reader.close()
    }
  }, 60_000)

  it('fails a read of the old columns with the error a search in flight during the migration looks for', async () => {
    // hybrid.ts's readWinners runs such a search again when LanceDB says the old text column is
    // gone; this is the message it recognises.
    const dir = legacyCopy()
    const reader = await LibraryReader.open(dir)
    try {
      const table = (await reader.chunks())!
      expect(await migrateToPassages(table)).toBe(true)
      await expect(table.takeRowIds([0n]).select(passageColumns(false)).toArray()).rejects.toThrow(/No field named text/)
    } finally {
      reader.close()
    }
  })
})
