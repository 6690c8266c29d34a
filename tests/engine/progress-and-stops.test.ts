import { appendFileSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { IngestEvent } from '../../src/core/ingest/events'
import { LlmError } from '../../src/core/llm/errors'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { CORPUS, closedOllamaUrl, tempDir, testEngine } from './support'

describe('import progress and stops', () => {
  it('tells how far each file being read is, page by page', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const seen: number[] = []
    await engine.ingest([join(CORPUS, 'pdf/R-intro.pdf')], {
      onEvent: (event: IngestEvent) => {
        if (event.type !== 'progress') return
        for (const file of event.current) if (file.path.endsWith('R-intro.pdf')) seen.push(file.fraction)
      }
    })
    const between = seen.filter((f) => f > 0.05 && f < 1)
    expect(between.length).toBeGreaterThan(2)
    // Fractions only grow.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1])
  }, 60_000)

  describe('with an Ollama embedder that goes away', () => {
    let fake: FakeOllama
    afterAll(() => fake?.close())

    it('stops once with a clear message, keeps the rest queued, and resumes when Ollama is back', async () => {
      fake = await startFakeOllama({ embedDim: 256 })
      const engine = testEngine({ ollamaHost: fake.url })
      const folder = join(tempDir(), 'docs')
      mkdirSync(folder)
      const names = readdirSync(join(CORPUS, 'md/tldr/en')).slice(0, 30)
      for (const name of names.slice(0, 10)) cpSync(join(CORPUS, 'md/tldr/en', name), join(folder, name))
      const embedder = { kind: 'ollama' as const, model: 'nomic-embed-text', host: fake.url }
      await engine.ingest([folder], { embedder })

      for (const name of names.slice(10)) cpSync(join(CORPUS, 'md/tldr/en', name), join(folder, name))
      await fake.stop()
      const failed = await engine.ingest([folder]).then(() => null, (error: unknown) => error)
      expect(failed).toBeInstanceOf(LlmError)
      expect((failed as Error).message).toMatch(/The import stopped: this library's embedding model .* could not embed\. .*remaining files stay queued/)
      const docs = await engine.documents()
      // No file was blamed for Ollama being down: none failed, the new ones wait in the queue.
      expect(docs.filter((d) => d.status === 'failed')).toHaveLength(0)
      expect(docs.filter((d) => d.status === 'queued').length).toBeGreaterThan(0)

      await fake.restart()
      const resumed = await engine.ingest([])
      expect(resumed.failed).toBe(0)
      expect((await engine.documents()).filter((d) => d.status === 'ready')).toHaveLength(30)
    }, 60_000)
  })

  it('reads a file that keeps changing at most three times, then keeps the last version with a warning', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = join(tempDir(), 'growing')
    mkdirSync(folder)
    const log = join(folder, 'server.log')
    const line = 'GET /index.html 200 0.004s user-agent=Mozilla/5.0 (X11; Linux x86_64)\n'
    writeFileSync(log, line.repeat(60_000))
    // Something keeps writing to the file the whole time.
    const writer = setInterval(() => appendFileSync(log, line), 2)
    try {
      const summary = await engine.ingest([folder])
      expect(summary.indexed).toBeGreaterThanOrEqual(1)
      expect(summary.warnings.flatMap((w) => w.warnings).join(' ')).toMatch(/kept changing while it was imported/)
    } finally {
      clearInterval(writer)
    }
    expect((await engine.documents()).filter((d) => d.status === 'ready').map((d) => d.name)).toEqual(['server.log'])
  }, 120_000)
})
