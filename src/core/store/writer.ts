import type { Connection, Table } from '@lancedb/lancedb'
import type { EmbedderSpec } from '../embed/embedder'
import {
  CHUNKS_TABLE,
  DOCUMENTS_TABLE,
  acquireWriterLock,
  asLibraryError,
  checkEmbedder,
  connectLibrary,
  ensureWritableLibrary,
  openOrCreateTables,
  readMeta,
  releaseWriterLock,
  sqlString,
  writeMeta
} from './library'
import { plainRows } from './arrow'
import { buildFullTextIndex, indexesSearchText } from './fulltext-index'
import { maintainVectorIndex } from './vector-index'
import { packChunks, packedToArrow, type PackedChunks } from './packed'
import { CjkCountKeeper } from './cjk-counts'
import { migrateToPassages } from './passage'
import { documentsToArrow, type ChunkColumns, type DocumentRecord } from './schema'

/**
 * Rows written since the indexes were last brought up to date after which the writer does so in
 * the middle of an import; otherwise it does so when it closes. Rows no index covers yet are
 * still found (LanceDB searches them exhaustively), and one full-text index built over all the
 * rows of an import costs less than building it on the first batch and folding in every later one.
 */
const REFRESH_EVERY_ROWS = 200_000

/**
 * Rows a later import may leave outside the indexes when it closes. Folding rows into the indexes
 * (LanceDB's optimize) costs in proportion to the whole library, not to the rows added: it merges
 * them into the full-text index, and when the library has two indexed files under a million rows
 * (as the previous fold leaves it) it also rewrites them into one (LanceDB compacts together the
 * files under a million rows that the same indexes cover). Importing a one-line note into a
 * library of 96,000 chunks took 3.5 s, then 9.6-12.6 s each time, peaking at 0.9 GB; into one of
 * 384,000, 5.6 s, then 30-45 s, peaking at 1.3 GB. Rows left out are still found: LanceDB searches them exhaustively, which at
 * 100 such rows made a search 1.9 ms slower at p50 (18.3 against 20.2 ms, 96,000 chunks), at 200
 * 4.5 ms and at 400 15 ms; but each import adds a file, and files cost more than rows: 10, 20 and
 * 30 imports of one row each made it 0.9-1.7, 2.8-3.3 and 4.4-5.1 ms slower, 100 imports 22 ms.
 * So an import that leaves at most this many rows uncovered (and so at most this many files)
 * closes at once, and the first import past it folds them all in (which still rewrites the
 * library's files when two of them are under a million rows: see bench/notes.md).
 */
export const UNINDEXED_ROWS_LEFT = 20

/**
 * Rows outside the indexes up to which an import into an indexed library says its documents are
 * searchable before it folds them in; the fold follows before the writer closes. LanceDB finds
 * rows outside the indexes by searching them exhaustively, which made a search at 96,000 chunks
 * 1.9 ms slower at p50 with 100 such rows, 4.5 ms with 200, 15 ms with 400 and 24 ms with 800 (see
 * UNINDEXED_ROWS_LEFT), while the fold takes seconds at 100,000 chunks and up to a minute at 1M
 * (the benchmark's later imports). A larger import is folded in first.
 */
export const SEARCHABLE_BEFORE_FOLD_ROWS = 1_000

/** Document ids and sizes up to which `known` looks rows up with a filter instead of reading every row. */
const KNOWN_BY_FILTER = 1_000

/** A document row as an import needs it (see `LibraryWriter.known`). */
export type KnownDocument = Pick<DocumentRecord, 'id' | 'path' | 'size' | 'mtime' | 'hash' | 'status' | 'created_at'>

/**
 * The one writer of a library. Documents are committed whole: all chunks of a document go into the
 * chunks table in one LanceDB commit (atomic), then its row in `documents` says it is ready, then
 * the chunks of its previous version are deleted. A crash between those steps leaves chunks whose
 * (document, hash) pair is not a ready document; `recover` deletes exactly those, so a document is
 * never half-searchable and never duplicated.
 */
export class LibraryWriter {
  private rowsSinceRefresh = 0
  private hasFtsIndex = false
  /**
   * The previous writer died, perhaps while it built the indexes after writing every document:
   * this writer brings them up to date when it closes even if it writes nothing (resuming such an
   * import finds no file left to read). Without an index LanceDB still answers, by reading every
   * row, which at 100,000 chunks takes seconds a question.
   */
  private indexesInDoubt = false
  /** Rows were written, or the indexes were in doubt: `close` brings the indexes up to date. */
  private indexesDue = false
  /** `makeSearchable` ran since the last rows were written. */
  private searchable = false
  /**
   * This writer built the full-text index over files that have not been compacted since: `close`
   * compacts them (see `compactFirstImport`). A later import's fold compacts them anyway.
   */
  private compactionDue = false
  /**
   * Content hashes of document rows by id, kept in step with the table: of every row once
   * `allHashes`, otherwise of the rows among `hashesOf` (ids looked up, found or not). A small
   * import looks up only its own files' rows (see `known`).
   */
  private hashes = new Map<string, string>()
  private allHashes = false
  private readonly hashesOf = new Set<string>()

  private constructor(
    readonly dir: string,
    readonly embedder: EmbedderSpec,
    private readonly db: Connection,
    private readonly chunks: Table,
    private readonly documents: Table,
    private readonly cjk: CjkCountKeeper
  ) {}

  /**
   * Opens a library for writing with `embedder`, creating it if needed. Refuses a library built
   * with another embedder, and a library another live process is writing. If the previous writer
   * died, repairs what it left half-done. With `rebuild`, empties the library instead and records
   * `embedder` as its embedder: the first step of a re-index (with the same or another embedder).
   */
  static async open(dir: string, embedder: EmbedderSpec, options: { rebuild?: boolean } = {}): Promise<LibraryWriter> {
    await ensureWritableLibrary(dir)
    const meta = await readMeta(dir)
    if (!options.rebuild) checkEmbedder(meta, embedder)
    const crashed = await acquireWriterLock(dir)
    try {
      const db = await connectLibrary(dir)
      if (options.rebuild) {
        // The vector column's length is part of the schema, so the tables go, not just their rows.
        const names = await db.tableNames()
        for (const name of [CHUNKS_TABLE, DOCUMENTS_TABLE]) if (names.includes(name)) await db.dropTable(name)
      }
      // A rebuilt library starts without a vector index (its record goes with the dropped table).
      if (options.rebuild) await writeMeta(dir, { ...meta, embedder, vectorIndex: undefined, rebuiltAt: Date.now() })
      else if (!meta.embedder) await writeMeta(dir, { ...meta, embedder })
      const { chunks, documents } = await openOrCreateTables(db, embedder.dim)
      // A library written before the packed passage column gets it now, before any row is added.
      await migrateToPassages(chunks)
      // A writer that died may have written chunks it did not count: they are counted again.
      const cjk = await CjkCountKeeper.open(dir, chunks, { fresh: options.rebuild, recount: crashed })
      const writer = new LibraryWriter(dir, embedder, db, chunks, documents, cjk)
      writer.hasFtsIndex = (await chunks.listIndices()).some(indexesSearchText)
      if (crashed) {
        await writer.recover()
        writer.indexesInDoubt = true
        writer.indexesDue = true
      }
      return writer
    } catch (error) {
      await releaseWriterLock(dir)
      throw asLibraryError(error, dir)
    }
  }

  /**
   * Commits finished documents: their chunks (one atomic write), then their rows, then removes
   * chunks of their replaced versions. Failed documents have rows and no chunks. Chunks come as
   * columns, or as the ingest threads packed them (see `PackedChunks`).
   */
  async commit(docs: DocumentRecord[], chunks: ChunkColumns | PackedChunks[] | null): Promise<void> {
    try {
      const parts = !chunks ? [] : Array.isArray(chunks) ? chunks : [packChunks(chunks, this.embedder.dim)]
      const table = parts.length ? packedToArrow(parts, this.embedder.dim) : null
      const rows = table?.numRows ?? 0
      if (table && rows > 0) {
        await this.chunks.add(table)
        for (const part of parts) this.cjk.add(part.cjk)
        this.rowsSinceRefresh += rows
        this.indexesDue = true
        this.searchable = false
      }
      if (docs.length > 0) {
        const hashes = await this.hashesFor(docs.map((doc) => doc.id))
        const replacing = docs.filter((doc) => hashes.has(doc.id))
        // New documents are appended, and only documents whose row held another hash can have
        // chunks of another version to delete: a fresh import no longer scans the chunks table
        // with a delete at every batch.
        const appendOnly = replacing.length === 0 && new Set(docs.map((doc) => doc.id)).size === docs.length
        if (appendOnly) await this.documents.add(documentsToArrow(docs))
        else await this.documents.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(documentsToArrow(docs))
        const stale = replacing
          .filter((doc) => hashes.get(doc.id) !== doc.hash)
          .map((doc) => `(doc_id = '${sqlString(doc.id)}' AND doc_hash != '${sqlString(doc.hash)}')`)
        for (let i = 0; i < stale.length; i += 200) await this.deleteChunks(stale.slice(i, i + 200).join(' OR '))
        for (const doc of docs) {
          hashes.set(doc.id, doc.hash)
          this.hashesOf.add(doc.id)
        }
      }
      if (this.rowsSinceRefresh >= REFRESH_EVERY_ROWS) await this.refreshIndexes()
    } catch (error) {
      throw asLibraryError(error, this.dir)
    }
  }

  /**
   * What an import of some files needs to know of the library: the rows of the documents `docIds`
   * (any status: enough to tell whether a file changed since its import), and the ready documents
   * of `sizes` (a copy of a document has its size). A few files are looked up with a filter;
   * reading every row instead cost 0.15-0.36 s at 34,728 documents, and handing them to the
   * coordinator 0.2 s more, for a one-note import.
   */
  async known(docIds: string[], sizes: number[]): Promise<KnownDocument[]> {
    const ids = new Set(docIds)
    const ready = new Set(sizes)
    const columns = ['id', 'path', 'size', 'mtime', 'hash', 'status', 'created_at']
    if (ids.size + ready.size > KNOWN_BY_FILTER) {
      const rows = plainRows<KnownDocument>(await this.documents.query().select(columns).toArrow())
      this.hashes = new Map(rows.map((row) => [row.id, row.hash]))
      this.allHashes = true
      return rows.filter((row) => ids.has(row.id) || (row.status === 'ready' && ready.has(row.size)))
    }
    const where: string[] = []
    if (ids.size) where.push(`id IN (${[...ids].map((id) => `'${sqlString(id)}'`).join(', ')})`)
    if (ready.size) where.push(`(status = 'ready' AND size IN (${[...ready].map((size) => String(size)).join(', ')}))`)
    const rows = where.length ? plainRows<KnownDocument>(await this.documents.query().where(where.join(' OR ')).select(columns).toArrow()) : []
    if (!this.allHashes) {
      for (const id of ids) this.hashesOf.add(id)
      for (const row of rows) if (ids.has(row.id)) this.hashes.set(row.id, row.hash)
    }
    return rows
  }

  /**
   * Records new modification times of documents whose files were found unchanged by their content
   * (touched, copied, checked out again): the next import then trusts size and time again instead
   * of reading and hashing every such file. Only the `mtime` column is written.
   */
  async touch(docs: Array<Pick<DocumentRecord, 'id' | 'mtime'>>): Promise<void> {
    if (docs.length === 0) return
    await this.documents.mergeInsert('id').whenMatchedUpdateAll().execute(documentsToArrow(docs, ['id', 'mtime']))
  }

  /** Removes documents and all their chunks. */
  async remove(docIds: string[]): Promise<void> {
    for (let i = 0; i < docIds.length; i += 200) {
      const list = docIds
        .slice(i, i + 200)
        .map((id) => `'${sqlString(id)}'`)
        .join(', ')
      await this.deleteChunks(`doc_id IN (${list})`)
      await this.documents.delete(`id IN (${list})`)
    }
    for (const id of docIds) this.hashes.delete(id)
  }

  /** Removes every document and chunk (the first step of a re-index with another embedder). */
  async clear(): Promise<void> {
    await this.chunks.delete('true')
    this.cjk.clear()
    await this.documents.delete('true')
    this.hashes.clear()
    this.allHashes = true
  }

  /** Deletes chunks that belong to no ready document version: leftovers of a crash. */
  async recover(): Promise<number> {
    const ready = new Set<string>()
    const docRows = plainRows<Pick<DocumentRecord, 'id' | 'hash' | 'status'>>(await this.documents.query().select(['id', 'hash', 'status']).toArrow())
    for (const row of docRows) if (row.status === 'ready') ready.add(`${row.id}\u0000${row.hash}`)
    const orphans = new Map<string, string>()
    const chunkRows = plainRows<{ doc_id: string; doc_hash: string }>(await this.chunks.query().select(['doc_id', 'doc_hash']).toArrow())
    for (const row of chunkRows) {
      const key = `${row.doc_id}\u0000${row.doc_hash}`
      if (!ready.has(key)) orphans.set(key, `(doc_id = '${sqlString(row.doc_id)}' AND doc_hash = '${sqlString(row.doc_hash)}')`)
    }
    const predicates = [...orphans.values()]
    for (let i = 0; i < predicates.length; i += 200) await this.deleteChunks(predicates.slice(i, i + 200).join(' OR '))
    return orphans.size
  }

  /**
   * Brings the full-text index up to date: builds it over every row if there is none yet,
   * otherwise folds new rows in and compacts small writes into larger files.
   */
  async refreshIndexes(): Promise<void> {
    const cleanupOlderThan = cleanupCutoff()
    if (this.hasFtsIndex) {
      await this.chunks.optimize({ cleanupOlderThan })
      this.compactionDue = false
    } else if ((await this.chunks.countRows()) > 0) {
      await buildFullTextIndex(this.chunks)
      this.hasFtsIndex = true
      this.compactionDue = true
    }
    await this.documents.optimize({ cleanupOlderThan })
    this.rowsSinceRefresh = 0
    // Whatever a writer that died left undone to the full-text index is done now (`close` still
    // sees to the vector index).
    this.indexesInDoubt = false
  }

  /**
   * Makes every committed document findable by both legs of a search, and leaves the rest of the
   * indexes' upkeep to `close`. A first import builds the full-text index (LanceDB's full-text
   * search needs one); a later one leaves up to `SEARCHABLE_BEFORE_FOLD_ROWS` rows outside the
   * indexes for now (LanceDB searches them exhaustively), and folds a larger import in first.
   * Building the vector index, or training it again for a grown library, is always left to `close`:
   * until then the vector leg searches exhaustively, which is exact, only slower. On the benchmark
   * corpus (96,187 chunks) the import was searchable after 56.8 and 59.6 s instead of done after
   * 69.7 and 75.1 s (alternated with the previous build; its whole time was unchanged), and a
   * search in those seconds took 0.9 s p50, 1.5 s p95 (0.6 s p50 once the index build was not
   * beside it), against 17 ms p50 once the index is built (see bench/notes.md, Import).
   */
  async makeSearchable(): Promise<void> {
    try {
      if (!this.indexesDue || this.searchable) return
      if (!this.hasFtsIndex || this.indexesInDoubt || (await this.unindexedRows()) > SEARCHABLE_BEFORE_FOLD_ROWS) await this.refreshIndexes()
      await this.cjk.save()
      this.searchable = true
    } catch (error) {
      throw asLibraryError(error, this.dir)
    }
  }

  /**
   * Finishes: makes the documents searchable if `makeSearchable` was not called, folds the rows
   * still outside the indexes in unless they are a few (`UNINDEXED_ROWS_LEFT`), compacts a first
   * import's files (`compactFirstImport`), builds or retrains
   * the vector index when the library has grown enough for it (see vector-index.ts), closes the
   * tables and releases the writer lock. The vector index is built after the fold, never beside
   * it: folding rows compacts the table's files, which would invalidate an index being built from them.
   */
  async close(): Promise<void> {
    try {
      if (this.indexesDue) {
        await this.makeSearchable()
        // An import that leaves its rows out leaves its document rows in a file of their own too:
        // compacting the documents table rewrites every row of it (84-190 ms at 34,700
        // documents), so that waits for the fold as well.
        if (this.rowsSinceRefresh > 0 && (await this.unindexedRows()) > UNINDEXED_ROWS_LEFT) await this.refreshIndexes()
        if (this.compactionDue) await this.compactFirstImport()
        await this.maintainVectorIndex()
      }
      await this.cjk.finish()
    } finally {
      this.chunks.close()
      this.documents.close()
      this.db.close()
      await releaseWriterLock(this.dir)
    }
  }

  /**
   * Rewrites the chunks a first import wrote, one file per commit, into one file (LanceDB's
   * optimize, which also points the full-text index at the new file), after the documents are
   * searchable and before the vector index is built from them. A search reads its winners'
   * passages by row id, and each file they are in costs about half a millisecond. Whole imports of
   * the benchmark corpus (95,987 chunks, 69 files), alternated with the build before: searchable
   * after the same 87-88 s, done after 106.4 and 107.1 s instead of 101.1 and 100.7, peaking at
   * 1.11-1.13 GB against 1.06-1.16 (the vector index build, after it, takes more). Their libraries
   * searched alternately question by question (8 rounds of 300): p50 1.6-2.3 ms and p95 1.7-3.9 ms
   * lower. Before, only a later import's fold compacted a library (bench/notes.md, Retrieval).
   */
  private async compactFirstImport(): Promise<void> {
    if ((await this.chunks.stats()).fragmentStats.numFragments > 1) await this.chunks.optimize({ cleanupOlderThan: cleanupCutoff() })
    this.compactionDue = false
  }

  /** Deletes the chunks matching `where`, taking their characters off the counts first. */
  private async deleteChunks(where: string): Promise<void> {
    await this.cjk.remove(where)
    await this.chunks.delete(where)
  }

  /** Rows of the chunks table that the full-text index does not cover (the vector index covers the same). */
  private async unindexedRows(): Promise<number> {
    const fts = (await this.chunks.listIndices()).find(indexesSearchText)
    const stats = fts ? await this.chunks.indexStats(fts.name) : undefined
    return stats?.numUnindexedRows ?? Infinity
  }

  private async maintainVectorIndex(): Promise<void> {
    try {
      const meta = await readMeta(this.dir)
      const record = await maintainVectorIndex(this.chunks, await this.chunks.countRows(), meta.vectorIndex)
      if (record !== meta.vectorIndex) await writeMeta(this.dir, { ...meta, vectorIndex: record })
    } catch (error) {
      throw asLibraryError(error, this.dir)
    }
  }

  /** The hashes of document rows, covering at least `ids` (all rows are read unless they were looked up). */
  private async hashesFor(ids: string[]): Promise<Map<string, string>> {
    if (!this.allHashes && ids.some((id) => !this.hashesOf.has(id))) {
      const rows = plainRows<Pick<DocumentRecord, 'id' | 'hash'>>(await this.documents.query().select(['id', 'hash']).toArrow())
      this.hashes = new Map(rows.map((row) => [row.id, row.hash]))
      this.allHashes = true
    }
    return this.hashes
  }
}

/** Versions of a table older than this are deleted when it is optimized (a reader may still be on a recent one). */
function cleanupCutoff(): Date {
  return new Date(Date.now() - 60_000)
}
