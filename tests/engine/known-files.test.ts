import { describe, expect, it } from 'vitest'
import { KnownFiles } from '../../src/core/ingest/known'
import { documentId } from '../../src/core/ingest/prepare'
import type { KnownDocument } from '../../src/core/store/writer'

describe('what the library knows of an import’s files', () => {
  it('asks for the rows of every queued file and size, letting the event loop turn while it hashes a large queue', async () => {
    const queue = Array.from({ length: 5_000 }, (_, i) => ({ path: `/docs/file-${i}.md`, size: 100 + (i % 7), mtime: 1 }))
    // The app's main thread runs imports: a window's requests and events must not wait for the
    // hashing of every path (a 9,442-file import held it for 20–40 ms in one go).
    let turned = false
    setImmediate(() => (turned = true))
    let asked: { docIds: string[]; sizes: number[]; turned: boolean } | undefined
    const known = await KnownFiles.of(queue, async (docIds, sizes) => {
      asked = { docIds, sizes, turned }
      const row: KnownDocument = { id: documentId(queue[3].path), path: queue[3].path, size: queue[3].size, mtime: 1, hash: 'h', status: 'ready', created_at: 1 }
      return [row]
    })
    expect(asked?.turned).toBe(true)
    expect(asked?.docIds).toEqual(queue.map((file) => documentId(file.path)))
    expect(asked?.sizes.sort()).toEqual([100, 101, 102, 103, 104, 105, 106])
    expect(known.previous(documentId(queue[3].path))?.path).toBe(queue[3].path)
    expect(known.previous(documentId(queue[4].path))).toBeNull()
  })
})
