/**
 * A re-index drops the library's tables and creates them again. Readers opened before it (the
 * query threads keep theirs for the life of the thread) must find the rebuilt documents: a handle
 * on a dropped table reads as empty, without an error.
 */
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createEmbedder } from '../../src/core/embed/choice'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { LibraryReader } from '../../src/core/store/reader'
import { CORPUS, closedOllamaUrl, testEngine } from './support'

it('a reader opened before a re-index finds the rebuilt documents', async () => {
  const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
  await engine.ingest(['pdf/R-intro.pdf', 'html/appetite.html', 'md/tldr/en/7z.md'].map((path) => join(CORPUS, path)))
  const reader = await LibraryReader.open(engine.libraryDir)
  const embedder = await createEmbedder({ kind: 'builtin' })
  const question = 'How do I create a vector in R?'
  const before = await hybridSearch(reader, embedder, question)
  expect(before.hits.length).toBeGreaterThan(0)

  expect((await engine.reindex()).indexed).toBe(3)
  const after = await hybridSearch(reader, embedder, question)
  expect(after.noMatch).toBe(false)
  expect(after.hits.map((hit) => hit.chunkId).sort()).toEqual(before.hits.map((hit) => hit.chunkId).sort())
  expect((await reader.documentsById()).size).toBe(3)
  reader.close()
}, 120_000)
