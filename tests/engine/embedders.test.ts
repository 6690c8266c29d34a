import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOllamaEmbedder } from '../../src/core/embed/ollama'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { LibraryError, readMeta } from '../../src/core/store/library'
import { LibraryReader } from '../../src/core/store/reader'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { CORPUS, tempDir, testEngine } from './support'

describe('embedders', () => {
  let fake: FakeOllama
  let folder: string
  beforeAll(async () => {
    fake = await startFakeOllama({ embedDim: 384 })
    folder = join(tempDir(), 'docs')
    mkdirSync(folder)
    for (const file of ['atool.md', 'alias.md']) cpSync(join(CORPUS, 'md/tldr/en', file), join(folder, file))
    cpSync(join(CORPUS, 'md/trpl-zh-tw/src/ch08-01-vectors.md'), join(folder, 'vectors.md'))
  })
  afterAll(() => fake.close())

  it('records the built-in embedder by default, and refuses to mix in another', async () => {
    const engine = testEngine({ ollamaHost: fake.url })
    await engine.ingest([folder])
    expect((await readMeta(engine.libraryDir)).embedder).toEqual({ kind: 'builtin', model: 'hash-v1', dim: 512 })

    const mixing = engine.ingest([folder], { embedder: { kind: 'ollama', model: 'nomic-embed-text', host: fake.url } })
    await expect(mixing).rejects.toBeInstanceOf(LibraryError)
    await expect(mixing).rejects.toMatchObject({ code: 'embedder-mismatch' })
    await expect(mixing).rejects.toThrow(/Re-index the library/)
    // Nothing was written with the wrong vectors, and search still works.
    expect((await engine.search('archive extract')).hits[0].path).toMatch(/atool\.md$/)
  })

  it('re-indexes with an Ollama model, then searches with it', async () => {
    const engine = testEngine({ ollamaHost: fake.url })
    await engine.ingest([folder])
    const summary = await engine.reindex({ embedder: { kind: 'ollama', model: 'nomic-embed-text', host: fake.url } })
    expect(summary.indexed).toBe(3)
    expect((await readMeta(engine.libraryDir)).embedder).toEqual({ kind: 'ollama', model: 'nomic-embed-text:latest', dim: 384 })
    const reader = await LibraryReader.open(engine.libraryDir)
    const vectors = (await (await reader.chunks())!.query().select(['vector']).limit(1).toArray())[0].vector
    reader.close()
    expect(vectors.length).toBe(384)

    const embedCalls = fake.requests.filter((r) => r.path === '/api/embed').length
    const result = await engine.search('Vec 向量')
    expect(result.hits[0].path).toMatch(/vectors\.md$/)
    expect(fake.requests.filter((r) => r.path === '/api/embed').length).toBe(embedCalls + 1)
  })

  it('lets other work on its thread go ahead only once the question is embedded and both legs are out', async () => {
    // An answer asks Ollama for its models once the search's requests are out (`dispatched`):
    // the question's embedding, the slowest step of the vector leg, must not wait behind that,
    // nor share the thread and the model server with it while on its way.
    const engine = testEngine({ ollamaHost: fake.url })
    await engine.ingest([folder], { embedder: { kind: 'ollama', model: 'nomic-embed-text', host: fake.url } })
    const embedder = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text' })
    const order: string[] = []
    const watched: Embedder = {
      spec: embedder.spec,
      embedDocuments: (texts, signal) => embedder.embedDocuments(texts, signal),
      embedQuery: async (text, signal) => {
        order.push('embed')
        const vector = await embedder.embedQuery(text, signal)
        order.push('embedded')
        return vector
      }
    }
    const reader = await LibraryReader.open(engine.libraryDir)
    try {
      const result = await hybridSearch(reader, watched, 'Vec 向量', { dispatched: () => order.push('dispatched') })
      expect(order).toEqual(['embed', 'embedded', 'dispatched'])
      expect(result.hits[0].path).toMatch(/vectors\.md$/)
      expect(result.notices).toEqual([])

      // Given a way to choose, the search picks the embedder from the settings it has just read
      // (one read of library.json a question), then sends the question before anything else.
      order.length = 0
      const chosen = await hybridSearch(
        reader,
        async (meta) => {
          order.push(`choose ${meta.embedder?.model}`)
          return watched
        },
        'Vec 向量',
        { dispatched: () => order.push('dispatched') }
      )
      expect(order).toEqual(['choose nomic-embed-text:latest', 'embed', 'embedded', 'dispatched'])
      expect(chosen.hits.map((hit) => hit.chunkId)).toEqual(result.hits.map((hit) => hit.chunkId))

      // The one the last search chose gets the question before the settings are read, and its
      // vector is used when they still name it; when they name another, that one is asked.
      order.length = 0
      const likely = await hybridSearch(reader, async () => (order.push('choose'), watched), 'Vec 向量', { likely: watched })
      expect(order[0]).toBe('embed')
      expect(order.filter((step) => step !== 'embedded')).toEqual(['embed', 'choose'])
      expect(likely.hits.map((hit) => hit.chunkId)).toEqual(result.hits.map((hit) => hit.chunkId))
      order.length = 0
      const other: Embedder = { ...watched, embedQuery: (text, signal) => (order.push('other'), embedder.embedQuery(text, signal)) }
      const switched = await hybridSearch(reader, async () => (order.push('choose'), watched), 'Vec 向量', { likely: other })
      expect(order).toEqual(['other', 'choose', 'embed', 'embedded'])
      expect(switched.hits.map((hit) => hit.chunkId)).toEqual(result.hits.map((hit) => hit.chunkId))

      // One that cannot be had leaves keyword search, with the reason; its leg out, the rest goes ahead.
      order.length = 0
      const keywordOnly = await hybridSearch(reader, () => Promise.reject(new Error('model gone')), 'archive extract', { dispatched: () => order.push('dispatched') })
      expect(order).toEqual(['dispatched'])
      expect(keywordOnly.hits[0].path).toMatch(/atool\.md$/)
      expect(keywordOnly.notices).toEqual(['Semantic search was unavailable (model gone); results come from keyword search only.'])
    } finally {
      reader.close()
    }
  })

  it('falls back to keyword search, saying why, when the Ollama embedder is unreachable', async () => {
    const engine = testEngine({ ollamaHost: fake.url })
    await engine.ingest([folder], { embedder: { kind: 'ollama', model: 'nomic-embed-text', host: fake.url } })
    const down = testEngine({ ollamaHost: 'http://127.0.0.1:1', libraryDir: engine.libraryDir })
    const result = await down.search('archive extract')
    expect(result.hits[0].path).toMatch(/atool\.md$/)
    expect(result.notices.join(' ')).toMatch(/keyword search only/)
  })
})
