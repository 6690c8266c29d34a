/**
 * The writer counts how many chunks hold each CJK character (cjk-counts.ts), and a search leaves
 * out of its keyword query the characters in more than a tenth of a large library's CJK chunks.
 * The counts must stay equal to a count of the chunks actually in the library, whatever was added,
 * replaced, removed, or left behind by a writer that died.
 */
import { spawn } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_SPEC, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { COMMON_CJK_MIN_CHUNKS, cjkCountsPath, readCjkCounts } from '../../src/core/store/cjk-counts'
import { LibraryReader } from '../../src/core/store/reader'
import { emptyChunkColumns, pushChunk, type ChunkColumns, type DocumentRecord } from '../../src/core/store/schema'
import { LibraryWriter } from '../../src/core/store/writer'
import { toSearchText } from '../../src/core/text/analyze'
import { tempDir } from '../engine/support'

let embedder: Embedder
beforeAll(async () => {
  embedder = await createEmbedder({ kind: 'builtin' })
})

/** Documents as an import commits them: `texts[d]` are the chunks of document `id-d`. */
async function documents(id: string, hash: string, texts: string[][]): Promise<{ docs: DocumentRecord[]; chunks: ChunkColumns }> {
  const docs: DocumentRecord[] = []
  const chunks = emptyChunkColumns()
  texts.forEach((chunkTexts, d) => {
    const now = Date.now()
    docs.push({
      id: `${id}-${d}`, path: `/notes/${id}-${d}.md`, name: `${id}-${d}.md`, title: null, format: 'markdown', size: 1000 + d, mtime: now, hash,
      error: null, error_code: null, warnings: '[]', chunk_count: chunkTexts.length, pages: null, created_at: now, updated_at: now, status: 'ready'
    })
    chunkTexts.forEach((text, ord) => {
      pushChunk(chunks, { id: `${id}-${d}-${hash}-${ord}`, doc_id: `${id}-${d}`, doc_hash: hash, ord, search_text: toSearchText(text), page: null, headings: '[]', start: 0, end: text.length, text })
    })
  })
  const vectors = await embedder.embedDocuments(texts.flat())
  chunks.vectors = new Float32Array(vectors.length * embedder.spec.dim)
  vectors.forEach((vector, i) => chunks.vectors.set(vector, i * embedder.spec.dim))
  return { docs, chunks }
}

/** What the counts should be for these chunk texts, counted here with a plain regular expression. */
function expected(texts: string[]): { chunks: number; chars: Record<string, number> } {
  const chars: Record<string, number> = {}
  let chunks = 0
  for (const text of texts) {
    const seen = new Set(text.match(/\p{Script=Han}/gu) ?? [])
    if (seen.size) chunks++
    for (const char of seen) chars[char] = (chars[char] ?? 0) + 1
  }
  return { chunks, chars }
}

async function counts(dir: string) {
  const read = await readCjkCounts(dir)
  return read && { chunks: read.chunks, chars: Object.fromEntries(read.chars) }
}

async function write(dir: string, work: (writer: LibraryWriter) => Promise<void>, options: { rebuild?: boolean } = {}): Promise<void> {
  const writer = await LibraryWriter.open(dir, BUILTIN_SPEC, options)
  try {
    await work(writer)
  } finally {
    await writer.close()
  }
}

function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', () => resolve(child.pid!))
  })
}

const A = [['水是生命之源，水很重要。', 'The river runs to the sea.'], ['山高水長']]
const B = [['天地玄黃', '宇宙洪荒，日月盈昃。']]
const A2 = [['火山爆發了。'], ['山高水長']]

describe('the counts of CJK characters', () => {
  const dir = tempDir()

  it('counts each character once per chunk, and stays equal to the library as documents are added, replaced and removed', async () => {
    await write(dir, async (writer) => {
      const a = await documents('a', 'v1', A)
      await writer.commit(a.docs, a.chunks)
    })
    expect(await counts(dir)).toEqual(expected(A.flat()))
    expect((await counts(dir))!.chars['水']).toBe(2)

    // A second import: one document new, two replaced by new versions (one of them unchanged in text).
    await write(dir, async (writer) => {
      const b = await documents('b', 'v1', B)
      await writer.commit(b.docs, b.chunks)
      const a2 = await documents('a', 'v2', A2)
      await writer.commit(a2.docs, a2.chunks)
    })
    expect(await counts(dir)).toEqual(expected([...A2, ...B].flat()))
    expect((await counts(dir))!.chars['源']).toBeUndefined()

    await write(dir, (writer) => writer.remove(['b-0']))
    expect(await counts(dir)).toEqual(expected(A2.flat()))

    await write(dir, async () => undefined, { rebuild: true })
    expect(await counts(dir)).toEqual({ chunks: 0, chars: {} })
  })

  it('counts the library again when it has no counts, or its last writer died', async () => {
    const again = tempDir()
    await write(again, async (writer) => {
      const a = await documents('a', 'v1', A)
      await writer.commit(a.docs, a.chunks)
    })
    // A library written before the counts were kept: its next writer counts it, even with nothing to write.
    await rm(cjkCountsPath(again))
    await write(again, async () => undefined)
    expect(await counts(again)).toEqual(expected(A.flat()))

    // A writer that died may have added chunks and never written their counts.
    await writeFile(cjkCountsPath(again), JSON.stringify({ chunks: 0, chars: {} }))
    await writeFile(join(again, 'writer.dirty'), String(await deadPid()))
    await write(again, async () => undefined)
    expect(await counts(again)).toEqual(expected(A.flat()))

    // Its database moved aside: the counts start again from nothing.
    await rm(join(again, 'db'), { recursive: true })
    await write(again, async (writer) => {
      const b = await documents('b', 'v1', B)
      await writer.commit(b.docs, b.chunks)
    })
    expect(await counts(again)).toEqual(expected(B.flat()))
  })
})

describe('a keyword query in a library with many CJK chunks', () => {
  const dir = tempDir()
  // Chunk i holds 的 and 是 (every chunk), 水 (one in 5), 火 (one in 20), and a phrase of its own.
  const own = (i: number) => String.fromCodePoint(0x5000 + 2 * i, 0x5001 + 2 * i)
  const text = (i: number) => `${own(i)}的記錄${i % 5 === 0 ? '水' : ''}${i % 20 === 0 ? '火' : ''}是這樣。`
  const total = COMMON_CJK_MIN_CHUNKS + 200

  it('leaves out only the characters in more than a tenth of the CJK chunks, once there are enough of them', async () => {
    const reader = await LibraryReader.open(dir)
    try {
      await write(dir, async (writer) => {
        const some = await documents('few', 'v1', [Array.from({ length: 100 }, (_, i) => text(i))])
        await writer.commit(some.docs, some.chunks)
      })
      // 100 CJK chunks are too few to tell.
      expect([...(await reader.commonCjkChars())]).toEqual([])

      await write(dir, async (writer) => {
        const rest = await documents('many', 'v1', [Array.from({ length: total - 100 }, (_, i) => text(i + 100))])
        await writer.commit(rest.docs, rest.chunks)
      })
      // 的, 記, 錄, 是, 這, 樣 are in every chunk and 水 in a fifth; 火 (a twentieth) and each chunk's own pair are not common.
      expect([...(await reader.commonCjkChars())].sort()).toEqual([...'的記錄是這樣水'].sort())

      // A question made of common characters and one chunk's own pair still finds that chunk first.
      const { hits } = await hybridSearch(reader, embedder, `${own(777)}的記錄是什麼？`, { k: 3 })
      expect(hits[0].text).toBe(text(777))

      // Keyword search alone: 水樣 is nowhere as a pair, and its characters alone are common, so
      // nothing matches; 水火 still finds the chunks with 火, which is not common.
      expect((await hybridSearch(reader, null, '水樣', { k: 3 })).hits).toEqual([])
      const fire = await hybridSearch(reader, null, '水火', { k: 100 })
      expect(fire.hits).toHaveLength(total / 20)
      expect(fire.hits.every((hit) => hit.text.includes('火'))).toBe(true)
    } finally {
      reader.close()
    }
  })
})
