/**
 * Grows a benchmark library to a given number of chunks, through the product's own writer (so the
 * full-text and vector indexes are the ones DocuMind builds, with the settings it ships): first the
 * real chunks of the corpus, copied with their vectors from the library DocuMind imported, then
 * synthetic rows until the size is reached.
 *
 * A synthetic chunk is the first half of one real chunk's words followed by the second half of
 * another's, embedded by the same embedder as the real ones (the fake Ollama server), so that the
 * words, their frequencies and the geometry of the vectors stay those of real text.
 *
 * Usage: tsx bench/retrieval/grow-library.ts SOURCE_LIBRARY TARGET_LIBRARY CHUNKS OLLAMA_URL
 * Prints one JSON line (GrowResult).
 */
import { performance } from 'node:perf_hooks'
import { choiceForSpec, createEmbedder } from '../../src/core/embed/choice'
import type { Embedder } from '../../src/core/embed/embedder'
import { contentHash } from '../../src/core/ingest/prepare'
import { CHUNKS_TABLE, DOCUMENTS_TABLE, connectLibrary, readMeta } from '../../src/core/store/library'
import { unpackPassage, type Passage } from '../../src/core/store/passage'
import { emptyChunkColumns, pushChunk, type ChunkColumns, type DocumentRecord } from '../../src/core/store/schema'
import { LibraryWriter } from '../../src/core/store/writer'
import { toSearchText } from '../../src/core/text/analyze'
import { seededRandom } from '../lib/stats'

export interface GrowResult {
  rows: number
  real_rows: number
  synthetic_rows: number
  seconds: number
  indexes: string[]
}

/** Chunks per commit, as the import's batches. */
const COMMIT_CHUNKS = 4000
const SYNTHETIC_CHUNKS_PER_DOCUMENT = 12

type SourceChunk = Passage & { ord: number; search_text: string; vector: Float32Array }

async function readSource(dir: string): Promise<{ chunks: SourceChunk[]; docs: Map<string, DocumentRecord> }> {
  const db = await connectLibrary(dir)
  const chunkTable = await db.openTable(CHUNKS_TABLE)
  const docTable = await db.openTable(DOCUMENTS_TABLE)
  const docs = new Map<string, DocumentRecord>()
  for (const row of (await docTable.query().toArray()) as DocumentRecord[]) if (row.status === 'ready') docs.set(row.id, { ...row })
  const chunks: SourceChunk[] = []
  for (const row of await chunkTable.query().select(['ord', 'search_text', 'passage', 'vector']).toArray()) {
    const passage = unpackPassage(row.passage as string)
    const doc = docs.get(passage.doc_id)
    if (!doc || doc.hash !== passage.doc_hash) continue
    chunks.push({ ...passage, ord: row.ord as number, search_text: row.search_text as string, vector: Float32Array.from(row.vector as ArrayLike<number>) })
  }
  chunkTable.close()
  docTable.close()
  db.close()
  // Whole documents in order, so every copied document has all its chunks (but the last one copied).
  chunks.sort((a, b) => (a.doc_id === b.doc_id ? a.ord - b.ord : a.doc_id < b.doc_id ? -1 : 1))
  return { chunks, docs }
}

function columnsWithVectors(rows: SourceChunk[], dim: number): ChunkColumns {
  const columns = emptyChunkColumns()
  columns.vectors = new Float32Array(rows.length * dim)
  rows.forEach((row, i) => {
    pushChunk(columns, row)
    columns.vectors.set(row.vector, i * dim)
  })
  return columns
}

/** Builds the synthetic documents numbered from `first`, embedding their chunks. */
async function syntheticBatch(first: number, count: number, source: SourceChunk[], embedder: Embedder, random: () => number): Promise<{ docs: DocumentRecord[]; columns: ChunkColumns }> {
  const rows: SourceChunk[] = []
  const docs: DocumentRecord[] = []
  const texts: string[] = []
  for (let d = 0; d < count; d++) {
    const path = `synthetic://bench/${first + d}.txt`
    const parts: string[] = []
    for (let c = 0; c < SYNTHETIC_CHUNKS_PER_DOCUMENT; c++) {
      const a = source[Math.floor(random() * source.length)].text.split(/\s+/)
      const b = source[Math.floor(random() * source.length)].text.split(/\s+/)
      parts.push([...a.slice(0, Math.ceil(a.length / 2)), ...b.slice(Math.floor(b.length / 2))].join(' '))
    }
    const hash = contentHash(new TextEncoder().encode(parts.join('\n')))
    const docId = `synthetic-${first + d}`
    const now = Date.now()
    docs.push({
      id: docId, path, name: `${first + d}.txt`, title: null, format: 'text', size: parts.join('\n').length, mtime: now, hash, status: 'ready',
      error: null, error_code: null, warnings: '[]', chunk_count: parts.length, pages: null, created_at: now, updated_at: now
    })
    let offset = 0
    parts.forEach((text, ord) => {
      rows.push({ id: `${docId}-${ord}`, doc_id: docId, doc_hash: hash, ord, text, search_text: toSearchText(text), page: null, headings: '[]', start: offset, end: offset + text.length, vector: new Float32Array(0) })
      texts.push(text)
      offset += text.length + 2
    })
  }
  const vectors = await embedder.embedDocuments(texts)
  vectors.forEach((vector, i) => (rows[i].vector = vector))
  return { docs, columns: columnsWithVectors(rows, embedder.spec.dim) }
}

async function main(): Promise<void> {
  const [sourceDir, targetDir, wanted, ollamaUrl] = process.argv.slice(2)
  const target = Number(wanted)
  const started = performance.now()
  const meta = await readMeta(sourceDir)
  if (!meta.embedder) throw new Error(`${sourceDir} has no embedder on record`)
  const embedder = await createEmbedder(choiceForSpec(meta.embedder, ollamaUrl))
  const dim = embedder.spec.dim
  const writer = await LibraryWriter.open(targetDir, meta.embedder)
  let rows = 0
  let real = 0
  try {
    const db = await connectLibrary(targetDir)
    rows = await (await db.openTable(CHUNKS_TABLE)).countRows()
    db.close()
    const { chunks: source, docs } = await readSource(sourceDir)
    // 1. Real chunks the library does not hold yet (it grows: 10k, then 100k, then 1M).
    let next = rows
    while (rows < target && next < source.length) {
      const slice = source.slice(next, Math.min(next + COMMIT_CHUNKS, next + target - rows, source.length))
      next += slice.length
      const ids = [...new Set(slice.map((chunk) => chunk.doc_id))]
      await writer.commit(
        ids.map((id) => docs.get(id)!),
        columnsWithVectors(slice, dim)
      )
      rows += slice.length
    }
    real = Math.min(rows, source.length)
    // 2. Synthetic documents for the rest; numbered by the rows before them, so a grown library never repeats one.
    const random = seededRandom(rows + 1)
    while (rows < target) {
      const documents = Math.min(Math.ceil(COMMIT_CHUNKS / SYNTHETIC_CHUNKS_PER_DOCUMENT), Math.ceil((target - rows) / SYNTHETIC_CHUNKS_PER_DOCUMENT))
      const batch = await syntheticBatch(rows, documents, source, embedder, random)
      const keep = Math.min(batch.columns.id.length, target - rows)
      await writer.commit(batch.docs, keep < batch.columns.id.length ? truncate(batch.columns, keep, dim) : batch.columns)
      rows += keep
    }
  } finally {
    await writer.close()
  }
  const db = await connectLibrary(targetDir)
  const indexes = (await (await db.openTable(CHUNKS_TABLE)).listIndices()).map((index) => `${index.indexType}(${index.columns.join(',')})`)
  db.close()
  const result: GrowResult = { rows, real_rows: real, synthetic_rows: rows - real, seconds: (performance.now() - started) / 1000, indexes }
  process.stdout.write(JSON.stringify(result) + '\n')
}

function truncate(columns: ChunkColumns, keep: number, dim: number): ChunkColumns {
  const out = emptyChunkColumns()
  for (const key of ['id', 'doc_id', 'doc_hash', 'ord', 'search_text', 'page', 'headings', 'start', 'end', 'passage'] as const) {
    ;(out[key] as unknown[]) = (columns[key] as unknown[]).slice(0, keep)
  }
  out.vectors = columns.vectors.slice(0, keep * dim)
  return out
}

await main()
process.exit(0)
