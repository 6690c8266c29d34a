import { appendFileSync, copyFileSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/core/engine'
import type { IngestEvent, IngestSummary } from '../../src/core/ingest/events'
import { LibraryReader } from '../../src/core/store/reader'
import type { DocumentRecord } from '../../src/core/store/schema'
import { CORPUS, closedOllamaUrl, tempDir, testEngine } from './support'

/** Chunk ids per document, read straight from the library. */
async function chunkIdsByDocument(libraryDir: string): Promise<Map<string, string[]>> {
  const reader = await LibraryReader.open(libraryDir)
  try {
    const table = await reader.chunks()
    const rows = table ? await table.query().select(['id', 'doc_id']).toArray() : []
    const byDoc = new Map<string, string[]>()
    for (const row of rows) byDoc.set(row.doc_id, [...(byDoc.get(row.doc_id) ?? []), row.id])
    return byDoc
  } finally {
    reader.close()
  }
}

describe('importing corpus-mini', () => {
  let engine: Engine
  let summary: IngestSummary
  const events: IngestEvent[] = []

  beforeAll(async () => {
    engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    summary = await engine.ingest([CORPUS], { onEvent: (event) => events.push(event) })
  }, 180_000)

  it('imports every supported format and reports every other file', () => {
    // 676 documents plus the Rust book's LICENSE (text without an extension) are candidates;
    // the 28 images are skipped, not failed.
    expect(summary.indexed).toBeGreaterThanOrEqual(665)
    expect(summary.indexed + summary.failed + summary.skipped).toBe(705)
    expect(summary.skippedFiles.filter((s) => /\.(png|svg)$/.test(s.path))).toHaveLength(28)
    for (const failure of summary.failures) {
      expect(failure.reason.length, failure.path).toBeGreaterThan(20)
      expect(failure.path.endsWith('.docx'), `${failure.path}: ${failure.reason}`).toBe(true)
    }
  })

  it('lists every document with status, size and chunk count', async () => {
    const docs = await engine.documents()
    const ready = docs.filter((d) => d.status === 'ready')
    expect(ready.length).toBe(summary.indexed)
    const formats = new Set(ready.map((d) => d.format))
    for (const format of ['pdf', 'docx', 'epub', 'html', 'markdown', 'text']) expect(formats).toContain(format)
    for (const doc of ready) {
      expect(doc.chunks, doc.path).toBeGreaterThan(0)
      expect(doc.size, doc.path).toBeGreaterThan(0)
    }
    const encrypted = docs.find((d) => d.name === 'bug53475-password-is-pass.docx')
    expect(encrypted?.status).toBe('failed')
    expect(encrypted?.error).toMatch(/password/i)
    expect(docs.find((d) => d.name === 'R-intro.pdf')?.pages).toBe(113)
  })

  it('reports progress per file and overall, ending at the total', () => {
    const progress = events.filter((e): e is Extract<IngestEvent, { type: 'progress' }> => e.type === 'progress')
    expect(progress.length).toBeGreaterThan(3)
    const last = progress.at(-1)!
    expect(last.filesDone).toBe(last.filesTotal)
    expect(last.bytesDone).toBe(last.bytesTotal)
    expect(events.filter((e) => e.type === 'file')).toHaveLength(705)
  })

  it('says when every file is read, then when every document is searchable, and when that was', () => {
    const stages = events.flatMap((e, i) => (e.type === 'stage' ? [{ stage: e.stage, at: i }] : []))
    expect(stages.map((s) => s.stage)).toEqual(['indexing', 'searchable'])
    const lastFile = events.findLastIndex((e) => e.type === 'file' || e.type === 'progress')
    expect(stages[0].at).toBeGreaterThan(lastFile)
    expect(summary.searchableSeconds).toBeGreaterThan(0)
    expect(summary.searchableSeconds).toBeLessThanOrEqual(summary.seconds)
  })

  it('keeps pages, heading paths and exact offsets on chunks', async () => {
    const pdf = await engine.search('data frame attach detach', { k: 3 })
    expect(pdf.hits[0].path).toMatch(/R-intro\.pdf$/)
    expect(pdf.hits[0].page).toBeGreaterThan(1)
    const md = await engine.search('所有權規則 每一個值都有一個所有者', { k: 3 })
    const hit = md.hits.find((h) => h.path.endsWith('ch04-01-what-is-ownership.md'))
    expect(hit?.headings.length).toBeGreaterThan(0)
    expect(hit!.end - hit!.start).toBe(hit!.text.length)
  })

  it('does not import an unchanged file again', async () => {
    const before = await chunkIdsByDocument(engine.libraryDir)
    const again = await engine.ingest([CORPUS])
    expect(again.indexed).toBe(0)
    expect(again.unchanged).toBe(summary.indexed)
    expect(await chunkIdsByDocument(engine.libraryDir)).toEqual(before)
  })
})

describe('changed, duplicate and removed documents', () => {
  it('replaces a changed file, skips a copy with the same content, and removes a document whole', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = join(tempDir(), 'docs')
    mkdirSync(folder)
    const tldr = join(CORPUS, 'md/tldr/en')
    for (const name of readdirSync(tldr).slice(0, 5)) copyFileSync(join(tldr, name), join(folder, name))
    writeFileSync(join(folder, 'notes.md'), '# Garden notes\n\nThe tomatoes were planted in April.\n')
    await engine.ingest([folder])
    const first = await chunkIdsByDocument(engine.libraryDir)

    appendFileSync(join(folder, 'notes.md'), '\n## Later\n\nThe basil came up in May, beside the marigolds.\n')
    copyFileSync(join(tldr, readdirSync(tldr)[0]), join(folder, 'copy-of-first.md'))
    const second = await engine.ingest([folder])
    expect(second.indexed).toBe(1)
    expect(second.skippedFiles.map((s) => s.reason).join('\n')).toMatch(/Same content as/)
    const after = await chunkIdsByDocument(engine.libraryDir)
    expect(after.size).toBe(first.size)
    const notes = (await engine.documents()).find((d) => d.name === 'notes.md')!
    expect(after.get(notes.id)?.length).toBe(notes.chunks)
    expect(after.get(notes.id)).not.toEqual(first.get(notes.id))
    expect((await engine.search('basil marigolds')).hits[0]?.docId).toBe(notes.id)

    const removed = await engine.remove([join(folder, 'notes.md')])
    expect(removed.map((d) => d.id)).toEqual([notes.id])
    expect((await chunkIdsByDocument(engine.libraryDir)).has(notes.id)).toBe(false)
    expect((await engine.documents()).some((d) => d.id === notes.id)).toBe(false)
    expect((await engine.search('basil marigolds')).noMatch).toBe(true)
  }, 60_000)

  it('records the new time of a file only touched, and keeps its document as it was', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = join(tempDir(), 'docs')
    mkdirSync(folder)
    const note = join(folder, 'notes.md')
    writeFileSync(note, '# Garden notes\n\nThe tomatoes were planted in April.\n')
    await engine.ingest([folder])
    const rowOf = async (): Promise<DocumentRecord> => {
      const reader = await LibraryReader.open(engine.libraryDir)
      try {
        return [...(await reader.documentsById()).values()][0]
      } finally {
        reader.close()
      }
    }
    const before = await rowOf()

    const later = new Date(Date.now() + 60_000)
    utimesSync(note, later, later)
    const touched = await engine.ingest([folder])
    expect(touched.unchanged).toBe(1)
    const after = await rowOf()
    expect(after.mtime).toBe(statSync(note).mtimeMs)
    expect(after.mtime).not.toBe(before.mtime)
    // Only the time changed: the document is the one imported first.
    expect({ ...after, mtime: 0 }).toEqual({ ...before, mtime: 0 })
    expect((await engine.search('tomatoes planted April')).hits[0]?.path).toBe(note)
  }, 60_000)
})
