import type { Connection, Table } from '@lancedb/lancedb'
import { plainRows } from './arrow'
import { CommonCjkChars } from './cjk-counts'
import { CHUNKS_TABLE, DOCUMENTS_TABLE, connectLibrary, openTableIfExists, readMeta, sqlString, type LibraryMeta } from './library'
import { hasPassageColumn, passageColumns, passageOf, type Passage } from './passage'
import type { DocumentRecord } from './schema'

/**
 * A read connection to a library. Any number may be open beside the writer; with a read
 * consistency interval of 0 each query sees the latest committed version. Tables that do not exist
 * yet (an empty library) are looked for again on each call.
 */
export class LibraryReader {
  private chunksTable: Table | null = null
  private documentsTable: Table | null = null
  private documentCache: { version: number; byId: Map<string, DocumentRecord> } | null = null
  /** The library's `rebuiltAt` when the table handles were opened. */
  private rebuiltAt: number | undefined
  /**
   * Whether the chunks table has been seen with the packed `passage` column. Once seen it stays:
   * a migration is one way, and a rebuilt table is created with the column.
   */
  private packedSeen = false
  private readonly commonChars: CommonCjkChars

  private constructor(
    readonly dir: string,
    private readonly db: Connection
  ) {
    this.commonChars = new CommonCjkChars(dir)
  }

  static async open(dir: string): Promise<LibraryReader> {
    return new LibraryReader(dir, await connectLibrary(dir))
  }

  /**
   * The library's settings, read fresh (the embedder is recorded by the first import). When the
   * library has been rebuilt since the tables were opened, the handles are let go: a handle on a
   * dropped table still looks for the old table's index files.
   */
  async meta(): Promise<LibraryMeta> {
    const meta = await readMeta(this.dir)
    if (meta.rebuiltAt !== this.rebuiltAt) {
      // Not closed: a search in flight may still be reading through them.
      this.rebuiltAt = meta.rebuiltAt
      this.chunksTable = null
      this.documentsTable = null
      this.documentCache = null
    }
    return meta
  }

  /** A damaged settings file is reported by whoever needs the settings, not by every read. */
  private async letGoIfRebuilt(): Promise<void> {
    await this.meta().catch(() => undefined)
  }

  async chunks(): Promise<Table | null> {
    await this.letGoIfRebuilt()
    this.chunksTable ??= await openTableIfExists(this.db, CHUNKS_TABLE)
    return this.chunksTable
  }

  /**
   * What one search needs: the settings, read once, and the chunks table as of those settings.
   * A search that then calls `documentsById({ settingsRead: true })` reads the file only this once.
   */
  async searchView(): Promise<{ meta: LibraryMeta; chunks: Table | null }> {
    const meta = await this.meta()
    this.chunksTable ??= await openTableIfExists(this.db, CHUNKS_TABLE)
    return { meta, chunks: this.chunksTable }
  }

  /** The CJK characters too common in the library to search for alone (see cjk-counts.ts). */
  commonCjkChars(): Promise<ReadonlySet<string>> {
    return this.commonChars.get()
  }

  async documentsTableOrNull(options: { settingsRead?: boolean } = {}): Promise<Table | null> {
    if (!options.settingsRead) await this.letGoIfRebuilt()
    this.documentsTable ??= await openTableIfExists(this.db, DOCUMENTS_TABLE)
    return this.documentsTable
  }

  /**
   * Every document row by id, cached until the table's version changes, so that decorating search
   * hits costs one version check rather than a query. `settingsRead`: the caller has just called
   * `meta()` or `searchView()`, so the handles are already current.
   */
  async documentsById(options: { settingsRead?: boolean } = {}): Promise<Map<string, DocumentRecord>> {
    const table = await this.documentsTableOrNull(options)
    if (!table) return new Map()
    const version = await table.version()
    if (this.documentCache?.version !== version) {
      const rows = plainRows<DocumentRecord>(await table.query().toArrow())
      this.documentCache = { version, byId: new Map(rows.map((row) => [row.id, row])) }
    }
    return this.documentCache.byId
  }

  /**
   * The columns to read a chunk's passage from (see passage.ts): the packed column, or, in a
   * library not yet migrated to it, the old ones, checked again on each call until it is.
   */
  async passageColumns(table: Table): Promise<string[]> {
    if (!this.packedSeen) this.packedSeen = await hasPassageColumn(table)
    return passageColumns(this.packedSeen)
  }

  /** The chunks of one document in order (for showing a passage in context). */
  async chunksOf(docId: string): Promise<Passage[]> {
    const table = await this.chunks()
    if (!table) return []
    const columns = (await this.passageColumns(table)).concat('ord')
    const rows = plainRows<Record<string, unknown> & { ord: number }>(await table.query().where(`doc_id = '${sqlString(docId)}'`).select(columns).toArrow())
    return rows.sort((a, b) => a.ord - b.ord).map(passageOf)
  }

  /** Counts chunks, optionally of some documents only. */
  async countChunks(): Promise<number> {
    const table = await this.chunks()
    return table ? table.countRows() : 0
  }

  close(): void {
    this.chunksTable?.close()
    this.documentsTable?.close()
    this.db.close()
  }
}
