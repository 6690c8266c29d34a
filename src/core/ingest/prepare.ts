import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { chunkDocument, type ChunkOptions } from '../chunk'
import type { Embedder } from '../embed/embedder'
import { emptyChunkColumns, type ChunkColumns } from '../store/schema'
import { toSearchText } from '../text/analyze'
import type { ParsedDocument } from '../types'

/** A document's identity: stable per absolute path, so a changed file replaces its old version. */
export function documentId(path: string): string {
  return createHash('sha256').update(resolve(path)).digest('hex').slice(0, 24)
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

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
 * when the passage itself never repeats them. The stored `text` stays the bare passage.
 */
export async function prepareDocument(
  doc: ParsedDocument,
  identity: { docId: string; hash: string; name: string },
  embedder: Embedder,
  options?: { chunking?: ChunkOptions; signal?: AbortSignal }
): Promise<PreparedDocument> {
  const { text, chunks } = chunkDocument(doc, options?.chunking)
  const columns = emptyChunkColumns()
  const contexts: string[] = []
  const title = doc.title ?? identity.name
  for (const chunk of chunks) {
    const context = [title, ...chunk.headings.filter((h) => h !== title), chunk.text].join('\n')
    contexts.push(context)
    columns.id.push(`${identity.docId}-${identity.hash.slice(0, 12)}-${chunk.ord}`)
    columns.doc_id.push(identity.docId)
    columns.doc_hash.push(identity.hash)
    columns.ord.push(chunk.ord)
    columns.text.push(chunk.text)
    columns.search_text.push(toSearchText(context))
    columns.page.push(chunk.page)
    columns.headings.push(JSON.stringify(chunk.headings))
    columns.start.push(chunk.start)
    columns.end.push(chunk.end)
  }
  const vectors = contexts.length ? await embedder.embedDocuments(contexts, options?.signal) : []
  const dim = embedder.spec.dim
  columns.vectors = new Float32Array(vectors.length * dim)
  vectors.forEach((vector, i) => columns.vectors.set(vector, i * dim))
  return { chunks: columns, textLength: text.length }
}
