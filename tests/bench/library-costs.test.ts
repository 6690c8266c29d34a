/**
 * `bench/measure/library-costs.ts`, the command that repeats the measurements of bench/notes.md
 * the benchmark does not, on a small library: each mode runs and prints what it promises.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import { LibraryWriter } from '../../src/core/store/writer'
import { documentBatch } from '../library/batches'

const run = promisify(execFile)

async function measure(...args: string[]): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/measure/library-costs.ts', ...args])
  return stdout.trim().split('\n').map((line) => JSON.parse(line))
}

describe('bench/measure/library-costs.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'documind-costs-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  beforeAll(async () => {
    const writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
    try {
      const { docs, chunks } = await documentBatch(await createEmbedder({ kind: 'builtin' }), 0, 12, 3)
      await writer.commit(docs, chunks)
    } finally {
      await writer.close()
    }
  }, 60_000)

  it('times searches with rows outside the indexes, on a copy', async () => {
    // The library's embedder is the built-in one: the server address is not used.
    const lines = await measure('outside', dir, 'http://127.0.0.1:9', '--writes', '0,3', '--rows', '2', '--questions', '5')
    expect(lines.map((line) => [line.writes, line.unindexed_rows, line.questions])).toEqual([[0, 0, 5], [3, 6, 5]])
    for (const line of lines) expect(line.p95_ms).toBeGreaterThan(0)
    // The library itself is untouched.
    const again = await measure('outside', dir, 'http://127.0.0.1:9', '--writes', '0', '--questions', '2')
    expect(again[0].unindexed_rows).toBe(0)
  }, 60_000)

  it('rebuilds the full-text index and reports its peak memory', async () => {
    const [line] = await measure('indexes', dir, 'fts')
    expect(line).toMatchObject({ indexes: 'fts', rows: 36 })
    expect(line.peak_rss_mb as number).toBeGreaterThanOrEqual(line.peak_rss_before_mb as number)
  }, 60_000)

  it('copies the document rows both ways', async () => {
    const lines = await measure('documents', dir, '--rounds', '2')
    expect(lines.map((line) => [line.documents, line.how])).toEqual([[12, 'proxies'], [12, 'columns'], [12, 'columns'], [12, 'proxies']])
  }, 60_000)
})
