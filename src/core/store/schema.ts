import type { Data, Schema as SchemaType, Table as ArrowTable } from 'apache-arrow'
import type { DocFormat } from '../types'
import { arrow } from './arrow'
import { packPassage, type Passage } from './passage'

const { Field, FixedSizeList, Float32, Float64, Int32, RecordBatch, Schema, Struct, Table, Utf8, makeData, vectorFromArray } = arrow

/**
 * The library's own table schemas. We own them (rather than letting a vector-store wrapper infer
 * columns from metadata) so that a `null` in some PDF's info dictionary can never break a write,
 * and so that batches are built column by column without a JavaScript object per row.
 */

/** Lifecycle of a document. Only `ready` documents are searchable. */
export type DocumentStatus = 'queued' | 'indexing' | 'ready' | 'failed'

/** One row of the `documents` table. Timestamps are milliseconds since the epoch. */
export interface DocumentRecord {
  id: string
  path: string
  name: string
  title: string | null
  format: DocFormat | null
  size: number
  mtime: number
  hash: string
  status: DocumentStatus
  error: string | null
  error_code: string | null
  warnings: string
  chunk_count: number
  pages: number | null
  created_at: number
  updated_at: number
}

export const DOCUMENTS_SCHEMA = new Schema([
  new Field('id', new Utf8(), false),
  new Field('path', new Utf8(), false),
  new Field('name', new Utf8(), false),
  new Field('title', new Utf8(), true),
  new Field('format', new Utf8(), true),
  new Field('size', new Float64(), false),
  new Field('mtime', new Float64(), false),
  new Field('hash', new Utf8(), false),
  new Field('status', new Utf8(), false),
  new Field('error', new Utf8(), true),
  new Field('error_code', new Utf8(), true),
  new Field('warnings', new Utf8(), false),
  new Field('chunk_count', new Int32(), false),
  new Field('pages', new Int32(), true),
  new Field('created_at', new Float64(), false),
  new Field('updated_at', new Float64(), false)
])

/**
 * Chunks of one or more documents in columnar form, ready to write. `vectors` packs one vector per
 * chunk, `dim` floats each, so it can be transferred between threads without copying.
 */
export interface ChunkColumns {
  id: string[]
  doc_id: string[]
  doc_hash: string[]
  ord: number[]
  search_text: string[]
  page: Array<number | null>
  /** JSON array of the heading path. */
  headings: string[]
  start: number[]
  end: number[]
  /** The fields above that a search shows, and the text, packed (see passage.ts). */
  passage: string[]
  vectors: Float32Array
}

/** Appends one chunk's row (its vector goes into `vectors`, which the caller sizes). */
export function pushChunk(columns: ChunkColumns, chunk: Passage & { ord: number; search_text: string }): void {
  columns.id.push(chunk.id)
  columns.doc_id.push(chunk.doc_id)
  columns.doc_hash.push(chunk.doc_hash)
  columns.ord.push(chunk.ord)
  columns.search_text.push(chunk.search_text)
  columns.page.push(chunk.page)
  columns.headings.push(chunk.headings)
  columns.start.push(chunk.start)
  columns.end.push(chunk.end)
  columns.passage.push(packPassage(chunk))
}

export function chunkSchema(dim: number): SchemaType {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('doc_id', new Utf8(), false),
    new Field('doc_hash', new Utf8(), false),
    new Field('ord', new Int32(), false),
    new Field('search_text', new Utf8(), false),
    new Field('page', new Int32(), true),
    new Field('headings', new Utf8(), false),
    new Field('start', new Int32(), false),
    new Field('end', new Int32(), false),
    new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
    // Last, where migrating a library written before it puts it (see passage.ts).
    new Field('passage', new Utf8(), false)
  ])
}

export function emptyChunkColumns(): ChunkColumns {
  return { id: [], doc_id: [], doc_hash: [], ord: [], search_text: [], page: [], headings: [], start: [], end: [], passage: [], vectors: new Float32Array(0) }
}

/** Concatenates column batches (used to gather several documents into one write). */
export function concatChunkColumns(parts: ChunkColumns[]): ChunkColumns {
  const out = emptyChunkColumns()
  let floats = 0
  for (const part of parts) floats += part.vectors.length
  out.vectors = new Float32Array(floats)
  let offset = 0
  for (const part of parts) {
    for (const key of ['id', 'doc_id', 'doc_hash', 'ord', 'search_text', 'page', 'headings', 'start', 'end', 'passage'] as const) {
      ;(out[key] as unknown[]).push(...(part[key] as unknown[]))
    }
    out.vectors.set(part.vectors, offset)
    offset += part.vectors.length
  }
  return out
}

/** Builds an Arrow table of document rows, or of some of their columns (`columns`, in the table's order). */
export function documentsToArrow<K extends keyof DocumentRecord>(rows: Array<Pick<DocumentRecord, K>>, columns?: K[]): ArrowTable {
  const schema = columns ? new Schema(DOCUMENTS_SCHEMA.fields.filter((field) => columns.includes(field.name as K))) : DOCUMENTS_SCHEMA
  const children: Data[] = schema.fields.map((field) =>
    vectorFromArray(
      rows.map((row) => row[field.name as K]),
      field.type
    ).data[0]
  )
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }))
  return new Table([batch])
}
