import { resolve } from 'node:path'
import { IngestJournal } from './ingest/journal'
import { asLibraryError, libraryPaths } from './store/library'
import type { LibraryReader } from './store/reader'
import type { DocumentStatus } from './store/schema'
import type { DocFormat } from './types'

/** A document as the library view and `documind docs` show it. */
export interface DocumentSummary {
  id: string
  path: string
  name: string
  title: string | null
  format: DocFormat | null
  size: number
  status: DocumentStatus
  /** Why it failed, for a person. */
  error: string | null
  errorCode: string | null
  chunks: number
  pages: number | null
  warnings: string[]
  updatedAt: number
}

/** Imported and failed documents from the library, then files still waiting in the import queue. */
export async function listDocuments(reader: LibraryReader, libraryDir: string): Promise<DocumentSummary[]> {
  const rows = [...(await reader.documentsById().catch((error: unknown) => Promise.reject(asLibraryError(error, libraryDir)))).values()]
  const docs: DocumentSummary[] = rows.map((row) => ({
    id: row.id,
    path: row.path,
    name: row.name,
    title: row.title,
    format: row.format,
    size: row.size,
    status: row.status,
    error: row.error,
    errorCode: row.error_code,
    chunks: row.chunk_count,
    pages: row.pages,
    warnings: parseList(row.warnings),
    updatedAt: row.updated_at
  }))
  docs.sort((a, b) => a.path.localeCompare(b.path))
  const journal = await IngestJournal.open(libraryPaths(libraryDir).journal)
  const known = new Set(docs.map((doc) => doc.path))
  for (const file of journal.pending()) {
    if (known.has(file.path)) continue
    const name = file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1)
    docs.push({ id: '', path: file.path, name, title: null, format: null, size: file.size, status: 'queued', error: null, errorCode: null, chunks: 0, pages: null, warnings: [], updatedAt: file.mtime })
  }
  return docs
}

/**
 * The documents that `refs` name: each ref is a document id, a path (absolute or relative to the
 * working folder), or a file name that only one document has. Throws naming the refs that match
 * nothing, or more than one document.
 */
export function resolveDocuments(docs: DocumentSummary[], refs: string[]): DocumentSummary[] {
  const found: DocumentSummary[] = []
  for (const ref of refs) {
    const byId = docs.find((doc) => doc.id !== '' && doc.id === ref)
    const byPath = docs.find((doc) => doc.path === resolve(ref))
    const byName = docs.filter((doc) => doc.name === ref)
    const match = byId ?? byPath ?? (byName.length === 1 ? byName[0] : undefined)
    if (!match) {
      throw new Error(
        byName.length > 1
          ? `"${ref}" names ${byName.length} documents; give its full path or its id instead.`
          : `No document in the library matches "${ref}" (give an id from "documind docs" or a path).`
      )
    }
    if (match.status === 'queued') throw new Error(`${match.path} is still waiting to be imported; cancel the import to drop it.`)
    found.push(match)
  }
  return found
}

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.map(String) : []
  } catch {
    return []
  }
}
