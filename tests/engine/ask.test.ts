import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/core/engine'
import { LibraryReader } from '../../src/core/store/reader'
import { QUERY_TERM_BUDGET, keywordTerms } from '../../src/core/text/analyze'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { CORPUS, closedOllamaUrl, tempDir, testEngine } from './support'

/** A small library in both languages: Rust book chapters (zh-TW), tldr pages, the R manual. */
function sampleFolder(): string {
  const folder = join(tempDir(), 'docs')
  mkdirSync(folder)
  for (const file of ['ch04-01-what-is-ownership.md', 'ch08-01-vectors.md', 'ch16-01-threads.md']) {
    cpSync(join(CORPUS, 'md/trpl-zh-tw/src', file), join(folder, file))
  }
  for (const file of ['atool.md', 'alias.md']) cpSync(join(CORPUS, 'md/tldr/en', file), join(folder, file))
  cpSync(join(CORPUS, 'pdf/R-intro.pdf'), join(folder, 'R-intro.pdf'))
  return folder
}

describe('search and answers', () => {
  let fake: FakeOllama
  let engine: Engine

  beforeAll(async () => {
    fake = await startFakeOllama()
    engine = testEngine({ ollamaHost: fake.url })
    const summary = await engine.ingest([sampleFolder()])
    expect(summary.failed).toBe(0)
  }, 120_000)
  afterAll(() => fake.close())

  it('finds Chinese text for a Chinese query', async () => {
    const result = await engine.search('Rust 的所有權規則是什麼？')
    expect(result.noMatch).toBe(false)
    expect(result.hits[0].text).toContain('所有權規則')
    // The section that states the rules is among the first hits.
    const rules = result.hits.slice(0, 3).find((hit) => hit.headings.at(-1) === '所有權規則')
    expect(rules?.path).toMatch(/ch04-01-what-is-ownership\.md$/)
  })

  it('finds English text for an English query, with the PDF page', async () => {
    const result = await engine.search('How do I attach a data frame to the search path?')
    expect(result.hits[0].path).toMatch(/R-intro\.pdf$/)
    expect(result.hits[0].page).toBeGreaterThan(30)
  })

  it('takes user text with quotes and operators literally', async () => {
    const result = await engine.search('"data frame" AND (attach OR "detach')
    expect(result.hits.length).toBeGreaterThan(0)
  })

  it('finds the passage a long pasted text was copied from, in either language', async () => {
    // Whole passages as questions: more distinct terms than a keyword query keeps (see
    // QUERY_TERM_BUDGET), so these go through the budget, and still find where they came from.
    for (const question of ['Rust 的所有權規則是什麼？', 'How do I attach a data frame to the search path?']) {
      const source = (await engine.search(question)).hits[0]
      const pasted = `這段是什麼意思？ What does this mean? ${source.text}`
      expect(keywordTerms(pasted, QUERY_TERM_BUDGET)).not.toBeNull()
      const result = await engine.search(pasted)
      expect(result.hits[0].chunkId).toBe(source.chunkId)
    }
  })

  it('filters by document', async () => {
    const vectors = (await engine.documents()).find((d) => d.name === 'ch08-01-vectors.md')!
    const result = await engine.search('所有權', { docIds: [vectors.id] })
    expect(result.hits.length).toBeGreaterThan(0)
    for (const hit of result.hits) expect(hit.docId).toBe(vectors.id)
  })

  it('says so when nothing relevant is found', async () => {
    const result = await engine.search('photosynthesis in chloroplasts of kelp')
    expect(result.noMatch).toBe(true)
    const answer = await engine.ask('photosynthesis in chloroplasts of kelp')
    expect(answer.noMatch).toBe(true)
    expect(answer.citations).toHaveLength(0)
    expect(fake.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0)
  })

  it('streams the answer token by token and maps every [n] to the retrieved chunk', async () => {
    fake.set({ reply: 'Each value has one owner [1], and when the owner goes out of scope the value is dropped [2]. See also [7].', tokenDelayMs: 5 })
    const tokens: string[] = []
    const answer = await engine.ask('所有權的規則是什麼？', { onToken: (t) => tokens.push(t) })
    expect(tokens.length).toBeGreaterThan(5)
    expect(tokens.join('')).toContain('Each value has one owner')
    expect(answer.mode).toBe('generative')
    expect(answer.citations.map((c) => c.n)).toEqual([1, 2])
    expect(answer.droppedMarkers).toEqual([7])
    expect(answer.answer).not.toContain('[7]')
    // [n] is the n-th retrieved chunk, and its text is that chunk's text in the library.
    const reader = await LibraryReader.open(engine.libraryDir)
    try {
      for (const citation of answer.citations) {
        expect(citation.chunkId).toBe(answer.hits[citation.n - 1].chunkId)
        const rows = await reader.chunksOf(citation.docId)
        expect(rows.find((row) => row.id === citation.chunkId)?.text).toBe(citation.text)
      }
    } finally {
      reader.close()
    }
    // The model saw the numbered sources.
    const chat = fake.requests.filter((r) => r.path === '/api/chat').at(-1)!
    expect(JSON.stringify(chat.body)).toContain('[1]')
  })

  it('answers extractively, with citations, when no model is reachable', async () => {
    const down = testEngine({ ollamaHost: await closedOllamaUrl(), libraryDir: engine.libraryDir })
    const started = Date.now()
    const answer = await down.ask('How do I attach a data frame?')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toMatch(/No language model was reachable/)
    expect(answer.citations.length).toBeGreaterThan(0)
    expect(answer.citations[0].path).toMatch(/R-intro\.pdf$/)
    expect(answer.answer).toContain('[1]')
  })
})
