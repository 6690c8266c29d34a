/**
 * Documents for the library tests, written straight through LibraryWriter.commit as an import's
 * batches would be: plain-text notes whose chunks share a small vocabulary and each have one word
 * of their own (`marker{d}x{ord}`), embedded by the given embedder.
 */
import type { Table } from '@lancedb/lancedb'
import type { Embedder } from '../../src/core/embed/embedder'
import { emptyChunkColumns, pushChunk, type ChunkColumns, type DocumentRecord } from '../../src/core/store/schema'
import { toSearchText } from '../../src/core/text/analyze'

const WORDS = 'river mountain lantern orchard harbour glacier meadow canyon violin compass beacon quarry tundra lagoon prairie volcano'.split(' ')

/** Chunk `ord` of document `d`: a few words that differ from chunk to chunk, and one word only it has. */
export function chunkText(d: number, ord: number): string {
  const words = Array.from({ length: 12 }, (_, i) => WORDS[(d * 7 + ord * 3 + i * 5) % WORDS.length])
  return `${words.join(' ')} marker${d}x${ord}`
}

/** Documents `first` to `first + count - 1`, `chunksPerDocument` chunks each, ready to commit. */
export async function documentBatch(embedder: Embedder, first: number, count: number, chunksPerDocument: number): Promise<{ docs: DocumentRecord[]; chunks: ChunkColumns }> {
  const docs: DocumentRecord[] = []
  const chunks = emptyChunkColumns()
  const texts: string[] = []
  for (let d = first; d < first + count; d++) {
    const now = Date.now()
    const hash = `hash-${d}`
    docs.push({
      id: `doc-${d}`, path: `/notes/${d}.txt`, name: `${d}.txt`, title: null, format: 'text', size: 1000, mtime: now, hash, status: 'ready',
      error: null, error_code: null, warnings: '[]', chunk_count: chunksPerDocument, pages: null, created_at: now, updated_at: now
    })
    for (let ord = 0; ord < chunksPerDocument; ord++) {
      const text = chunkText(d, ord)
      texts.push(text)
      pushChunk(chunks, { id: `doc-${d}-${ord}`, doc_id: `doc-${d}`, doc_hash: hash, ord, search_text: toSearchText(text), page: null, headings: '[]', start: 0, end: text.length, text })
    }
  }
  const vectors = await embedder.embedDocuments(texts)
  chunks.vectors = new Float32Array(vectors.length * embedder.spec.dim)
  vectors.forEach((vector, i) => chunks.vectors.set(vector, i * embedder.spec.dim))
  return { docs, chunks }
}

/** How many files (LanceDB fragments) a table's rows are in: one per commit until they are compacted. */
export async function fileCount(table: Table): Promise<number> {
  return (await table.stats()).fragmentStats.numFragments
}
