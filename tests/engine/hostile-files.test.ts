import { closeSync, cpSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CORPUS, closedOllamaUrl, tempDir, testEngine } from './support'

describe('files that fight back', () => {
  it('fails a 500 MB file as too large without reading it', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = join(tempDir(), 'big')
    mkdirSync(folder)
    // A sparse file: 500 MB on paper, nothing on disk.
    const fd = openSync(join(folder, 'huge.txt'), 'w')
    ftruncateSync(fd, 500 * 1024 * 1024)
    closeSync(fd)
    writeFileSync(join(folder, 'small.md'), '# Small\n\nA small file beside a huge one.\n')
    const started = Date.now()
    const summary = await engine.ingest([folder])
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(summary.failures).toHaveLength(1)
    expect(summary.failures[0]).toMatchObject({ code: 'too-large' })
    expect(summary.failures[0].reason).toMatch(/huge\.txt is 500 MB; DocuMind imports files up to 256 MB/)
    expect(summary.indexed).toBe(1)
  }, 60_000)

  it('reports a file deleted after it was queued, and imports the rest', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = join(tempDir(), 'vanishing')
    mkdirSync(folder)
    const names = readdirSync(join(CORPUS, 'md/tldr/en')).sort().slice(0, 60)
    for (const name of names) cpSync(join(CORPUS, 'md/tldr/en', name), join(folder, name))
    const last = join(folder, names.at(-1)!)
    const summary = await engine.ingest([folder], {
      // The queue is walked in name order; the last file goes the moment the queue is known.
      onEvent: (event) => {
        if (event.type === 'queued') rmSync(last)
      }
    })
    expect(summary.failures).toEqual([expect.objectContaining({ path: last, code: 'unreadable' })])
    expect(summary.failures[0].reason).toMatch(/does not exist \(it may have been moved or deleted\)/)
    expect(summary.indexed).toBe(59)
  }, 60_000)

  it('replaces a thread that runs out of memory on a file, marks the file failed, and goes on', async () => {
    // With a 48 MB heap, a 40 MB text file cannot even be decoded (JavaScript strings take two
    // bytes a character), while Markdown pages need a few megabytes.
    const engine = testEngine({ ollamaHost: await closedOllamaUrl(), ingestHeapMb: 48 })
    const folder = join(tempDir(), 'heavy')
    mkdirSync(folder)
    const line = 'The quick brown fox jumps over the lazy dog. '.repeat(20) + '\n'
    writeFileSync(join(folder, 'enormous.txt'), line.repeat(Math.ceil((40 * 1024 * 1024) / line.length)))
    for (const name of readdirSync(join(CORPUS, 'md/tldr/en')).slice(0, 5)) cpSync(join(CORPUS, 'md/tldr/en', name), join(folder, name))
    const summary = await engine.ingest([folder])
    const big = summary.failures.find((f) => f.path.endsWith('enormous.txt'))
    expect(big?.code).toBe('crashed')
    expect(big?.reason).toMatch(/The reader crashed on .*enormous\.txt/)
    expect(summary.indexed).toBe(5)
  }, 120_000)
})
