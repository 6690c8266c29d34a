/**
 * A first import compacts its files after its documents are searchable (LibraryWriter's
 * `compactFirstImport`), while the app may already be searching them. A search's legs return row
 * ids, which are addresses in the table's files, and its winners' passages are read by those ids
 * after both legs are back. Here the keyword leg reads the commits' files, then the writer closes
 * (compacting them into one) before the question's embedding comes back, so the vector leg and the
 * winners' read see the compacted files: the search must notice and run again, not fail or return
 * other passages.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch, type SearchSteps } from '../../src/core/retrieval/hybrid'
import { LibraryReader } from '../../src/core/store/reader'
import { LibraryWriter } from '../../src/core/store/writer'
import { tempDir } from '../engine/support'
import { documentBatch, fileCount } from './batches'

const DOCUMENTS = 20
const CHUNKS_PER_DOCUMENT = 20

let embedder: Embedder
let writer: LibraryWriter
let reader: LibraryReader
const dir = tempDir()

beforeAll(async () => {
  embedder = await createEmbedder({ kind: 'builtin' })
  writer = await LibraryWriter.open(dir, BUILTIN_SPEC)
  for (const first of [0, DOCUMENTS / 2]) {
    const { docs, chunks } = await documentBatch(embedder, first, DOCUMENTS / 2, CHUNKS_PER_DOCUMENT)
    await writer.commit(docs, chunks)
  }
  await writer.makeSearchable()
  reader = await LibraryReader.open(dir)
}, 60_000)
afterAll(() => reader?.close())

it('runs a search again when the files its keyword leg read were compacted before its winners were read', async () => {
  const table = (await reader.chunks())!
  expect(await fileCount(table)).toBe(2)
  const steps: SearchSteps = {}
  let calls = 0
  let filesWhenEmbedded = 0
  // The question's embedding comes back only once the keyword leg is back and the writer has closed.
  const held: Embedder = {
    spec: embedder.spec,
    embedDocuments: (texts, signal) => embedder.embedDocuments(texts, signal),
    async embedQuery(text, signal) {
      if (calls++ === 0) {
        while (steps.keyword === undefined) await sleep(2)
        await writer.close()
        filesWhenEmbedded = await fileCount(table)
      }
      return embedder.embedQuery(text, signal)
    }
  }
  const result = await hybridSearch(reader, held, 'marker13x7 lantern', { k: 3, steps })
  expect(filesWhenEmbedded).toBe(1)
  // Asked twice: the first pass found its keyword candidates' rows gone, and the search ran again.
  expect(calls).toBe(2)
  expect(result.notices).toEqual([])
  expect(result.hits[0].chunkId).toBe('doc-13-7')
  expect(result.hits[0].text).toContain('marker13x7')
}, 60_000)
