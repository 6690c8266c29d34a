import { basename } from 'node:path'
import type { Table, VectorQuery } from '@lancedb/lancedb'
import type { Embedder } from '../embed/embedder'
import { loadLance } from '../store/lance'
import { asLibraryError, checkEmbedder, sqlString, type LibraryMeta } from '../store/library'
import { passageOf, type Passage } from '../store/passage'
import type { LibraryReader } from '../store/reader'
import { preloadVectorIndex, vectorSearchSettings, type VectorIndexRecord } from '../store/vector-index'
import type { DocumentRecord } from '../store/schema'
import { contentTokens, toQueryText } from '../text/analyze'
import { foldCompatibility } from '../text/normalize'
import type { Hit } from '../types'
import { fuseScores, legWeights } from './fusion'

export interface SearchOptions {
  /** Hits wanted. */
  k?: number
  /** Only search these documents. */
  docIds?: string[]
  /** Candidates fetched from each leg before fusion (default max(4k, 50)). */
  candidates?: number
  /**
   * With an embedder chosen from the settings: the one this library's last search was given. The
   * question goes to it before the settings are read, and its vector is used if they still name
   * it (the choosing function returns that same embedder).
   */
  likely?: Embedder
  signal?: AbortSignal
  /**
   * Called once the search's own requests are on their way (the keyword leg, and the vector leg,
   * which waits for the question's embedding), for work on the same thread that should not hold
   * them up (an answer's model-status check). Not called when the embedding fails.
   */
  dispatched?: () => void
  /** Filled in, when given, with when each step of the search ended (see `SearchSteps`). */
  steps?: SearchSteps
}

/**
 * When each step of one search ended, in ms after it began, for measuring where a search's time
 * goes (the benchmark reports them). The legs run at once, so the steps overlap: the search ends
 * at `winners`, and whichever of `keyword` and `vector` is later held it up. A step that did not
 * run (no embedder, an empty library) is left out.
 */
export interface SearchSteps {
  /** The settings read and the embedder chosen. */
  settings?: number
  /** The question's embedding back. */
  embedding?: number
  /** The keyword leg's candidates back. */
  keyword?: number
  /** The vector leg's candidates back. */
  vector?: number
  /** The winners' passages read: the search's end. */
  winners?: number
}

/**
 * How a search gets its embedder: the embedder itself (null: keyword search only), or a function
 * that picks it from the library's settings, which the search reads anyway (so a question reads
 * library.json once). A function that throws leaves keyword search, with a notice saying why.
 */
export type EmbedderSource = Embedder | null | ((meta: LibraryMeta) => Promise<Embedder | null>)

export interface SearchResult {
  hits: Hit[]
  /** True when nothing in the library is about the query (see `isRelevant`). */
  noMatch: boolean
  /** Things the user should know, e.g. that the vector leg was unavailable. */
  notices: string[]
}

/**
 * Hybrid retrieval: BM25 over the full-text index and nearest neighbours over the chunk vectors,
 * fused by a weighted convex combination of normalised scores (see fusion.ts). Only chunks of
 * ready documents, at the version the document row names, are returned; a document being written
 * is invisible until its row says it is ready.
 */
export async function hybridSearch(reader: LibraryReader, source: EmbedderSource, query: string, options: SearchOptions = {}): Promise<SearchResult> {
  try {
    try {
      return await searchLegs(reader, source, query, options)
    } catch (error) {
      if (!(error instanceof MovedRows)) throw error
      return await searchLegs(reader, source, query, options)
    }
  } catch (error) {
    // A damaged table becomes a LibraryError that says how to rebuild, not a LanceDB stack.
    throw asLibraryError(error, reader.dir)
  }
}

async function searchLegs(reader: LibraryReader, source: EmbedderSource, query: string, options: SearchOptions): Promise<SearchResult> {
  const k = options.k ?? 8
  const candidates = options.candidates ?? candidatesFor(k)
  const notices: string[] = []
  // Folded as the documents were (a question typed with full-width letters or digits finds them).
  const trimmed = foldCompatibility(query.trim())
  if (!trimmed) return { hits: [], noMatch: true, notices }
  const began = performance.now()
  const mark = (step: keyof SearchSteps): void => {
    if (options.steps) options.steps[step] = performance.now() - began
  }
  // A given embedder gets the question first: its round trip then overlaps reading the settings
  // and the keyword leg, instead of starting after them. One chosen from the settings gets it as
  // soon as they are read, unless the likely one already has it.
  let embedder = typeof source === 'function' ? (options.likely ?? null) : source
  let queryVector = embedder?.embedQuery(trimmed, options.signal)
  queryVector?.catch(() => undefined)
  const common = reader.commonCjkChars()
  const { meta, chunks: table } = await reader.searchView()
  if (!table) return { hits: [], noMatch: true, notices }
  if (typeof source === 'function') {
    const chosen = await source(meta).catch((error: Error) => {
      notices.push(semanticUnavailable(error))
      return null
    })
    if (chosen !== embedder) {
      embedder = chosen
      queryVector = embedder?.embedQuery(trimmed, options.signal)
      queryVector?.catch(() => undefined)
    }
  }
  if (embedder && meta.embedder) checkEmbedder(meta, embedder.spec)
  mark('settings')
  // Document rows (cached; a version check) and the passages' layout are fetched while the legs run.
  const documents = reader.documentsById({ settingsRead: true })
  documents.catch(() => undefined)
  const columns = reader.passageColumns(table)
  columns.catch(() => undefined)
  const filter = options.docIds?.length ? `doc_id IN (${options.docIds.map((id) => `'${sqlString(id)}'`).join(', ')})` : undefined

  const { MatchQuery } = await loadLance()
  const queryText = toQueryText(trimmed, await common)
  // The legs return row ids and scores only: fetching a passage's columns costs a read per column
  // per row, so only the fused winners' are read (at 100k chunks that halves the vector leg).
  const ftsQuery = table
    .query()
    // User text is matched term by term. Passing it as a plain string would let LanceDB read double
    // quotes as a phrase query, which throws on an index built without positions.
    .fullTextSearch(new MatchQuery(queryText, 'search_text'))
    .select(['_score'])
    .withRowId()
    .limit(candidates)
  const fts = ((filter ? ftsQuery.where(filter) : ftsQuery).toArray() as Promise<LegRow[]>).then((rows) => {
    mark('keyword')
    return rows
  })

  let vector: Promise<LegRow[]> = Promise.resolve([])
  if (queryVector) {
    vector = queryVector.then((questionVector) => {
      mark('embedding')
      const q = nearestChunks(table, questionVector, candidates, meta.vectorIndex).select(['_distance']).withRowId()
      const rows = (filter ? q.where(filter) : q).toArray() as Promise<LegRow[]>
      // Not earlier: requests issued while the embedding is on its way were seen to delay it (the
      // thread and the model server both busy with them), and the vector leg waits for it.
      options.dispatched?.()
      return rows.then((found) => {
        mark('vector')
        return found
      })
    })
  } else options.dispatched?.()
  const vectorLeg = vector.catch((error: Error) => {
    // The vector leg needs the embedder (Ollama for Ollama embeddings); without it, keyword
    // search still answers.
    notices.push(semanticUnavailable(error))
    return [] as LegRow[]
  })
  const [ftsLeg] = await Promise.allSettled([fts, vectorLeg])
  if (ftsLeg.status === 'rejected') {
    // Every request is let finish before the search fails: a LanceDB request still running when
    // its thread is stopped (the app closing) aborts the whole process.
    await Promise.allSettled([documents, columns])
    throw ftsLeg.reason
  }
  const ftsRows = ftsLeg.value
  const vectorRows = await vectorLeg

  const weights = legWeights(embedder?.spec.kind ?? null)
  const fused = fuseScores<LegRow>(
    [
      { weight: weights.fts, normalise: 'max', rows: ftsRows.map((item) => ({ item, relevance: item._score ?? 0 })) },
      { weight: weights.vector, normalise: 'min-max', rows: vectorRows.map((item) => ({ item, relevance: 1 - (item._distance ?? 1) })) }
    ],
    (row) => String(row._rowid)
  )
  const docs = await documents
  const hits = await readWinners(table, await columns, fused, k, docs)
  mark('winners')
  // A semantic embedder's neighbours can be relevant without sharing a word with the question, so
  // with one only an empty result is "no match" and the model judges the rest; keyword-based
  // results must cover enough of the question.
  const noMatch = hits.length === 0 || (embedder?.spec.kind !== 'ollama' && !isRelevant(trimmed, hits))
  return { hits, noMatch, notices }
}

function semanticUnavailable(error: Error): string {
  return `Semantic search was unavailable (${error.message}); results come from keyword search only.`
}

/** A leg's candidate: its row id (an address in the table's current files) and its score. */
interface LegRow {
  _rowid: bigint
  _score?: number
  _distance?: number
}

/**
 * Reads the best fused candidates' passages, best first, until `k` visible ones are found. Only
 * chunks of ready documents, at the version the document row names, are visible: a document
 * being written is invisible until its row says it is ready.
 */
async function readWinners(table: Table, columns: string[], fused: Array<{ item: LegRow; score: number }>, k: number, docs: Map<string, DocumentRecord>): Promise<Hit[]> {
  const hits: Hit[] = []
  for (let from = 0; from < fused.length && hits.length < k; ) {
    const batch = fused.slice(from, from + (from === 0 ? k : 2 * k))
    from += batch.length
    const rows = (await table
      .takeRowIds(batch.map(({ item }) => item._rowid))
      .select(columns)
      .withRowId()
      .toArray()
      .catch((error: Error) => {
        // A library written before the packed passage column gets it from its next writer, which
        // then drops the old text column: a search that chose the old columns just before looks again.
        throw columns.includes('text') && /No field named text/.test(error.message) ? new MovedRows() : error
      })) as Array<Record<string, unknown> & { _rowid: bigint }>
    // Row ids are addresses in the table's files: a compaction between the search and this read
    // rewrites them. The search is then run again on the new files.
    if (rows.length !== batch.length) throw new MovedRows()
    const byRowId = new Map(rows.map((row) => [String(row._rowid), row]))
    for (const { item, score } of batch) {
      const row = byRowId.get(String(item._rowid))
      if (!row) throw new MovedRows()
      const passage = passageOf(row)
      const doc = docs.get(passage.doc_id)
      if (doc && doc.status === 'ready' && doc.hash === passage.doc_hash && hits.length < k) hits.push(toHit(passage, score, doc))
    }
  }
  return hits
}

/** The rows a search found were moved (compacted) before their passages were read. */
class MovedRows extends Error {
  constructor() {
    super('The library was reorganised while it was being searched; search again.')
  }
}

/**
 * Loads what a library's first search would otherwise load while the user waits: the tables, the
 * document rows, its common CJK characters, both indexes' metadata (one keyword query, and one
 * vector query for a unit vector, which needs no embedder), and the vector index itself when it
 * is small enough (see `preloadVectorIndex`). False for a library with nothing to search. Rejects
 * as a search would.
 */
export async function prepareSearch(reader: LibraryReader): Promise<boolean> {
  try {
    const { meta, chunks: table } = await reader.searchView()
    if (!table) return false
    const { MatchQuery } = await loadLance()
    const unit = meta.embedder ? new Float32Array(meta.embedder.dim) : null
    if (unit) unit[0] = 1
    // Every request is let finish before this returns, failed or not: a LanceDB request still
    // running when its thread is stopped (the app closing) aborts the whole process.
    const loads = await Promise.allSettled([
      reader.documentsById({ settingsRead: true }),
      reader.passageColumns(table),
      reader.commonCjkChars(),
      table.query().fullTextSearch(new MatchQuery('the', 'search_text')).select(['_score']).withRowId().limit(1).toArray(),
      unit ? nearestChunks(table, unit, 1, meta.vectorIndex).select(['_distance']).withRowId().toArray() : null,
      meta.embedder ? preloadVectorIndex(table, meta.vectorIndex, meta.embedder.dim) : null
    ])
    for (const load of loads) if (load.status === 'rejected') throw load.reason
    return true
  } catch (error) {
    throw asLibraryError(error, reader.dir)
  }
}

/** Candidates each leg fetches before fusion when `k` hits are wanted. */
export function candidatesFor(k: number): number {
  return Math.max(4 * k, 50)
}

/**
 * The vector leg's query: the `limit` chunks nearest to `vector` by cosine distance, through the
 * library's vector index when it has one (see store/vector-index.ts), else exhaustively.
 */
export function nearestChunks(table: Table, vector: Float32Array, limit: number, index?: VectorIndexRecord): VectorQuery {
  const query = table.query().nearestTo(vector).distanceType('cosine').limit(limit)
  const settings = vectorSearchSettings(index, vector.length)
  if (!settings) return query
  const probed = query.nprobes(settings.nprobes)
  return settings.refineFactor > 0 ? probed.refineFactor(settings.refineFactor) : probed
}

function toHit(row: Passage, score: number, doc: DocumentRecord): Hit {
  return {
    chunkId: row.id,
    docId: row.doc_id,
    document: doc.title || doc.name || basename(doc.path),
    path: doc.path,
    page: row.page ?? null,
    headings: parseHeadings(row.headings),
    text: row.text,
    start: row.start,
    end: row.end,
    score
  }
}

export function parseHeadings(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.map(String) : []
  } catch {
    return []
  }
}

/**
 * Whether the best hits are about the query at all. Full-text search ORs the query's terms, so a
 * question about something absent still matches passages sharing one common word with it. We call
 * the results relevant when the best hit contains at least a quarter of the query's distinct
 * content tokens (words, or CJK unigrams and bigrams), and at least one of them when the query
 * has only a few.
 */
export function isRelevant(query: string, hits: Hit[]): boolean {
  const wanted = new Set(contentTokens(query))
  if (wanted.size === 0) return hits.length > 0
  let best = 0
  for (const hit of hits.slice(0, 3)) {
    const present = new Set(contentTokens(`${hit.document} ${hit.headings.join(' ')} ${hit.text}`))
    let found = 0
    for (const token of wanted) if (present.has(token)) found++
    best = Math.max(best, found)
  }
  return best >= Math.max(1, Math.ceil(wanted.size / 4))
}

