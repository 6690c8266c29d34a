import { constants, readFileSync } from 'node:fs'
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Connection, Table } from '@lancedb/lancedb'
import { isRunning } from '../processes'
import { describeEmbedder, sameEmbedder, type EmbedderSpec } from '../embed/embedder'
import { loadLance } from './lance'
import { DOCUMENTS_SCHEMA, chunkSchema } from './schema'
import type { VectorIndexRecord } from './vector-index'

/**
 * A library is one folder: LanceDB tables under `db/`, the ingest journal, and `library.json`, which
 * records the embedder that built the chunk vectors. Readers and the single writer each open their
 * own connection to it.
 */
export interface LibraryMeta {
  format: 1
  /** The embedder of every vector in the chunks table; null until the first document is written. */
  embedder: EmbedderSpec | null
  createdAt: number
  /** The chunk vectors' index, once the library is large enough to have one (see vector-index.ts). */
  vectorIndex?: VectorIndexRecord
  /**
   * When the library was last rebuilt (its tables dropped and created again by a re-index). Open
   * readers compare it with what they saw: a handle on a dropped table still looks for the old
   * table's index files, and fails.
   */
  rebuiltAt?: number
}

export type LibraryErrorCode = 'embedder-mismatch' | 'unwritable' | 'no-space' | 'corrupt' | 'empty'

/** A library problem with a stable code and a message that says what to do. */
export class LibraryError extends Error {
  constructor(
    readonly code: LibraryErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'LibraryError'
  }
}

export const CHUNKS_TABLE = 'chunks'
export const DOCUMENTS_TABLE = 'documents'

export function libraryPaths(dir: string): { db: string; meta: string; cjkCounts: string; journal: string; dirty: string } {
  return {
    db: join(dir, 'db'),
    meta: join(dir, 'library.json'),
    cjkCounts: join(dir, 'cjk-counts.json'),
    journal: join(dir, 'ingest-queue.jsonl'),
    dirty: join(dir, 'writer.dirty')
  }
}

export async function readMeta(dir: string): Promise<LibraryMeta> {
  try {
    // Read at once, not through the thread pool: every search reads this small file, and the
    // four hops of an asynchronous read (open, stat, read, close) were a search's first 1.5 ms
    // while its question's embedding was on its way (2.4 against 0.9 ms at 96,000 chunks).
    const parsed = JSON.parse(readFileSync(libraryPaths(dir).meta, 'utf8')) as LibraryMeta
    if (parsed.format !== 1) throw new LibraryError('corrupt', `The library at ${dir} was made by a newer DocuMind (format ${parsed.format}).`)
    return parsed
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, embedder: null, createdAt: Date.now() }
    if (error instanceof LibraryError) throw error
    throw new LibraryError('corrupt', `The library settings file ${libraryPaths(dir).meta} is damaged (${(error as Error).message}). Re-index the library to rebuild it.`)
  }
}

/** Writes library.json atomically: a crash leaves the old file or the new one, never half of one. */
export async function writeMeta(dir: string, meta: LibraryMeta): Promise<void> {
  await writeWhole(libraryPaths(dir).meta, JSON.stringify(meta, null, 2) + '\n')
}

/** Writes a file of the library whole: a reader sees the old file or the new one, never half of one. */
export async function writeWhole(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}

/** Creates the library folder if needed and checks that it is writable. */
export async function ensureWritableLibrary(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
    await access(dir, constants.W_OK)
  } catch (error) {
    throw asLibraryError(error, dir)
  }
}

/** Translates file-system errors (Node's, or LanceDB's "os error N") into messages a person can act on. */
export function asLibraryError(error: unknown, dir: string): Error {
  if (error instanceof LibraryError) return error
  // LanceDB's native errors carry a code of their own ('GenericFailure'); only errno codes count here.
  const nodeCode = (error as NodeJS.ErrnoException).code
  const code = typeof nodeCode === 'string' && /^E[A-Z]+$/.test(nodeCode) ? nodeCode : lanceOsError(error)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LibraryError('unwritable', `DocuMind cannot write to the library folder ${dir}: ${code === 'EROFS' ? 'the disk is read-only' : 'permission denied'}. Choose another folder (--db or DOCUMIND_DB) or fix its permissions; what is already imported can still be searched.`)
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LibraryError('no-space', `The disk holding ${dir} is full. Free some space and import again: the import resumes where it stopped, and nothing already imported was lost.`)
  }
  if (isDamagedTable(error)) {
    return new LibraryError(
      'corrupt',
      `The library's index in ${dir} is damaged and cannot be read (${lanceDetail(error)}). Your documents themselves are untouched: ` +
        're-index to rebuild it from them (documind reindex, or Rebuild the index in the Library view).'
    )
  }
  return error instanceof Error ? error : new Error(String(error))
}

/** LanceDB's words for a data or index file that is missing, truncated or unreadable. */
function isDamagedTable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /LanceError\((IO|Corrupt\w*|Arrow)\)|failed to fill whole buffer|Not found: .*\.(lance|manifest|idx)|unexpected end of file|Invalid (file|manifest)/i.test(message)
}

/** The gist of a LanceDB error, without the Rust source locations. */
function lanceDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const gist = /LanceError\(\w+\): ([^,]+)/.exec(message)?.[1] ?? message
  return gist.replace(/\s+/g, ' ').trim().slice(0, 160)
}

/** LanceDB reports I/O failures as text ("No space left on device (os error 28)"); find the errno. */
function lanceOsError(error: unknown): string | undefined {
  const match = /\(os error (\d+)\)/.exec(error instanceof Error ? error.message : String(error))
  const errno = match ? Number(match[1]) : NaN
  return ({ 1: 'EPERM', 13: 'EACCES', 28: 'ENOSPC', 30: 'EROFS', 122: 'EDQUOT' } as Record<number, string>)[errno]
}

/** The error for a search or import with an embedder other than the one that built the library. */
export function embedderMismatch(library: EmbedderSpec, requested: EmbedderSpec | { kind: string; model?: string }): LibraryError {
  const wanted = 'dim' in requested ? describeEmbedder(requested as EmbedderSpec) : `${requested.kind}${requested.model ? ` ${requested.model}` : ''}`
  return new LibraryError(
    'embedder-mismatch',
    `This library was indexed with the ${describeEmbedder(library)} embedder, not ${wanted}. ` +
      `Vectors from different embedders cannot be compared. Re-index the library with the new embedder ` +
      `(documind reindex --embedder ...), or keep using ${describeEmbedder(library)}.`
  )
}

/** Checks that `requested` may write to or search a library built with `meta.embedder`. */
export function checkEmbedder(meta: LibraryMeta, requested: EmbedderSpec): void {
  if (meta.embedder && !sameEmbedder(meta.embedder, requested)) throw embedderMismatch(meta.embedder, requested)
}

/** Opens the LanceDB connection of a library. Readers see other connections' writes at once. */
export async function connectLibrary(dir: string): Promise<Connection> {
  const lancedb = await loadLance()
  return lancedb.connect(libraryPaths(dir).db, { readConsistencyInterval: 0 })
}

export async function openTableIfExists(db: Connection, name: string): Promise<Table | null> {
  const names = await db.tableNames()
  return names.includes(name) ? db.openTable(name) : null
}

/** Opens or creates the two tables for a library whose vectors are `dim` long. */
export async function openOrCreateTables(db: Connection, dim: number): Promise<{ chunks: Table; documents: Table }> {
  const names = await db.tableNames()
  const chunks = names.includes(CHUNKS_TABLE)
    ? await db.openTable(CHUNKS_TABLE)
    : await db.createEmptyTable(CHUNKS_TABLE, chunkSchema(dim), { existOk: true })
  const documents = names.includes(DOCUMENTS_TABLE)
    ? await db.openTable(DOCUMENTS_TABLE)
    : await db.createEmptyTable(DOCUMENTS_TABLE, DOCUMENTS_SCHEMA, { existOk: true })
  return { chunks, documents }
}

/**
 * The process named by the library's writer lock (`writer.dirty`, present while a writer has the
 * library open): null without a lock, `live` when that process is another one and still runs.
 */
export async function writerLock(dir: string): Promise<{ holder: number; live: boolean } | null> {
  let holder: number
  try {
    holder = Number((await readFile(libraryPaths(dir).dirty, 'utf8')).trim())
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  return { holder, live: Boolean(holder) && holder !== process.pid && isRunning(holder) }
}

/**
 * True when a writer of the library died (its lock names a process that is gone): its repairs
 * and its indexes wait for the next writer, which an app starts at once (see LibraryWriter's
 * `indexesInDoubt`).
 */
export async function writerDied(dir: string): Promise<boolean> {
  const lock = await writerLock(dir).catch(() => null)
  return lock !== null && !lock.live && lock.holder !== process.pid
}

/**
 * Takes the library's writer lock. Returns true when the previous holder died without releasing it
 * (its work must be repaired). Throws if a live process holds it.
 */
export async function acquireWriterLock(dir: string): Promise<boolean> {
  const lock = await writerLock(dir)
  if (lock?.live) {
    throw new LibraryError('unwritable', `Another DocuMind process (pid ${lock.holder}) is importing into ${dir}. Wait for it to finish, or close it, and try again.`)
  }
  await writeFile(libraryPaths(dir).dirty, String(process.pid))
  return lock !== null
}

/** Releases the library's writer lock (see `acquireWriterLock`). */
export async function releaseWriterLock(dir: string): Promise<void> {
  await rm(libraryPaths(dir).dirty, { force: true })
}

/** Escapes a string for a single-quoted SQL literal in a LanceDB filter. */
export function sqlString(value: string): string {
  return value.replace(/'/g, "''")
}
