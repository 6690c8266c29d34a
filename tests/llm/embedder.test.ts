import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeEmbedder } from '../../src/core/embed/embedder'
import { createOllamaEmbedder } from '../../src/core/embed/ollama'
import { LlmError } from '../../src/core/llm/errors'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'

let fake: FakeOllama
beforeEach(async () => {
  fake = await startFakeOllama({ embedDim: 384, normalizeEmbeddings: false })
})
afterEach(async () => {
  await fake.close()
})

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0))
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i], 0)

describe('Ollama embedder', () => {
  it("learns the model's vector length and names itself by the tagged model", async () => {
    const embedder = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text' })
    expect(embedder.spec).toEqual({ kind: 'ollama', model: 'nomic-embed-text:latest', dim: 384 })
    expect(describeEmbedder(embedder.spec)).toBe('Ollama nomic-embed-text:latest (384-d)')
  })

  it('gives one unit-length vector per passage, in order, even when the server does not normalise', async () => {
    const embedder = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text' })
    const texts = ['The borrow checker enforces ownership.', '台灣的首都是台北。', 'The borrow checker enforces ownership.']
    const vectors = await embedder.embedDocuments(texts)
    expect(vectors).toHaveLength(3)
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array)
      expect(v).toHaveLength(384)
      expect(norm(v)).toBeCloseTo(1, 5)
    }
    expect(Array.from(vectors[0])).toEqual(Array.from(vectors[2]))
    const query = await embedder.embedQuery('What does the borrow checker enforce?')
    expect(dot(query, vectors[0])).toBeGreaterThan(dot(query, vectors[1]))
  })

  it('sends passages in batches with truncation on, so a long document is many small calls', async () => {
    const embedder = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text', batchSize: 64 })
    const texts = Array.from({ length: 150 }, (_, i) => `passage number ${i}`)
    expect(await embedder.embedDocuments(texts)).toHaveLength(150)
    const calls = fake.requests.filter((r) => r.path === '/api/embed').slice(1)
    expect(calls.map((r) => (r.body as { input: string[] }).input.length)).toEqual([64, 64, 22])
    expect(calls.every((r) => (r.body as { truncate?: boolean }).truncate === true)).toBe(true)
  })

  it('fails with a message naming the missing model and how to install it', async () => {
    const err = await createOllamaEmbedder({ host: fake.url, model: 'mxbai-embed-large' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmError)
    expect(err).toMatchObject({ code: 'model-not-found' })
    expect((err as LlmError).message).toContain('ollama pull mxbai-embed-large')
  })

  it('reports Ollama going away during indexing as unreachable', async () => {
    const embedder = await createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text' })
    await fake.stop()
    const err = await embedder.embedDocuments(['text']).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'unreachable' })
  })

  it('stops when the indexing job is cancelled', async () => {
    fake.set({ fault: { kind: 'hang', paths: ['/api/embed'] } })
    const controller = new AbortController()
    const embedder = createOllamaEmbedder({ host: fake.url, model: 'nomic-embed-text', signal: controller.signal })
    const request = await fake.received('/api/embed')
    controller.abort()
    await expect(embedder).rejects.toMatchObject({ code: 'aborted' })
    await fake.settled()
    expect(request.clientClosed).toBe(true)
  })
})
