import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { chunkDocument, type ChunkOptions } from '../chunk'
import type { Embedder } from '../embed/embedder'
import { emptyChunkColumns, pushChunk, type ChunkColumns } from '../store/schema'
import { toSearchText } from '../text/analyze'
import type { ParsedDocument } from '../types'

/** A document's identity: stable per absolute path, so a changed file replaces its old version. */
export function documentId(path: string): string {
  return createHash('sha256').update(resolve(path)).digest('hex').slice(0, 24)
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Passages embedded per call: Ollama batches within it; large enough to cost nothing for the built-in embedder. */
const EMBED_SLICE = 256

export interface PreparedDocument {
  chunks: ChunkColumns
  /** The document's full text length, for the record. */
  textLength: number
}

/**
 * Chunks, analyses and embeds a parsed document: everything the writer needs, in columns.
 *
 * Each chunk is indexed and embedded together with its context (document title and heading path),
 * so that a passage under "Installing R › On Windows" is found by a question naming either, even
 * when the passage itself never repeats them. The stored passage stays the bare text.
 */
export async function prepareDocument(
  doc: ParsedDocument,
  identity: { docId: string; hash: string; name: string },
  embedder: Embedder,
  options?: { chunking?: ChunkOptions; signal?: AbortSignal; onProgress?: (embedded: number, total: number) => void }
): Promise<PreparedDocument> {
  const { text, chunks } = chunkDocument(doc, options?.chunking)
  const columns = emptyChunkColumns()
  const contexts: string[] = []
  const title = doc.title ?? identity.name
  for (const chunk of chunks) {
    const context = [title, ...chunk.headings.filter((h) => h !== title), chunk.text].join('\n')
    contexts.push(context)
    pushChunk(columns, {
      id: `${identity.docId}-${identity.hash.slice(0, 12)}-${chunk.ord}`,
      doc_id: identity.docId,
      doc_hash: identity.hash,
      ord: chunk.ord,
      search_text: toSearchText(context),
      page: chunk.page,
      headings: JSON.stringify(chunk.headings),
      start: chunk.start,
      end: chunk.end,
      text: chunk.text
    })
  }
  const dim = embedder.spec.dim
  columns.vectors = new Float32Array(contexts.length * dim)
  // In slices, so that a long document's progress can be told as it is embedded.
  for (let from = 0; from < contexts.length; from += EMBED_SLICE) {
    const vectors = await embedder.embedDocuments(contexts.slice(from, from + EMBED_SLICE), options?.signal)
    vectors.forEach((vector, i) => columns.vectors.set(vector, (from + i) * dim))
    options?.onProgress?.(Math.min(contexts.length, from + EMBED_SLICE), contexts.length)
  }
  return { chunks: columns, textLength: text.length }
}
