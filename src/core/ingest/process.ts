import { readFile, stat } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import type { MessagePort } from 'node:worker_threads'
import { embedderCache, type EmbedderChoice } from '../embed/choice'
import { formatOf, parseDocument } from '../parse/index'
import { packChunks, type PackedChunks } from '../store/packed'
import type { DocumentRecord } from '../store/schema'
import { ParseFailure, type ParseFailureCode } from '../types'
import { contentHash, prepareDocument } from './prepare'
import { LlmError, type LlmErrorCode } from '../llm/errors'
import { describeFsError } from './walk'

/** What the coordinator knows of a file's previously imported version. */
export interface PreviousVersion {
  size: number
  mtime: number
  hash: string
  status: string
}

/** One file for a worker to read, parse, chunk and embed. */
export interface ProcessFileTask {
  path: string
  docId: string
  previous: PreviousVersion | null
  embedder: EmbedderChoice
  /** Files larger than this are refused before being read. */
  maxBytes: number
  /**
   * The coordinator's end of a conversation about this task (also in the transferList): the worker
   * says when it starts (the time limit runs from then) and, with `askDuplicate`, asks whether the
   * file's content is already in the library or being read, before spending time parsing it.
   */
  port?: MessagePort
  /** Another file of the same size is queued or in the library, so this one may be a copy. */
  askDuplicate?: boolean
}

/** Worker -> coordinator, on the task's port. */
export type TaskMessage = { type: 'started' } | { type: 'hash'; hash: string } | { type: 'progress'; fraction: number }

/** Coordinator -> worker: the path of a file with the same content, or null to go ahead. */
export type DuplicateAnswer = { type: 'duplicate'; of: string | null }

/** Options of one `processFile` call. */
export interface ProcessFileHooks {
  signal?: AbortSignal
  /** Asked once the content hash is known: resolves with the path of an identical file, if any. */
  duplicateOf?: (hash: string) => Promise<string | null>
  /** How far the file is, from 0 to 1: read, then parsed page by page, then embedded. */
  onProgress?: (fraction: number) => void
}

export type ProcessFileResult =
  /** `mtime`: the file's new modification time, when only that changed (its content is the same). */
  | { kind: 'unchanged'; path: string; mtime?: number }
  | { kind: 'skipped'; path: string; reason: string }
  | { kind: 'failed'; path: string; code: ParseFailureCode; reason: string; record: DocumentRecord }
  /**
   * The embedder could not embed (Ollama down, the model gone): not the file's fault, and every
   * other file would fail the same way, so the import stops and the file stays queued.
   */
  | { kind: 'embedder-failed'; path: string; message: string; code: LlmErrorCode }
  | {
      kind: 'indexed'
      path: string
      record: DocumentRecord
      /** The chunks with their vectors, packed for the writer. */
      chunks: PackedChunks
      /** The file changed while it was being read: import it again. */
      changedDuringImport: boolean
    }

/** One embedder per choice per thread: an Ollama embedder probes its model once, not per file. */
const embedderFor = embedderCache()

/**
 * Reads, parses, chunks and embeds one file. Never throws for a bad file: every problem becomes a
 * `failed` result with a reason a person understands (only an abort, a timeout or a crash of the
 * thread escapes, and the coordinator reports those).
 */
export async function processFile(task: ProcessFileTask, hooks: ProcessFileHooks = {}): Promise<ProcessFileResult> {
  const { path, previous } = task
  const { signal } = hooks
  const name = basename(path)
  let size = 0
  let mtime = 0
  const fail = (code: ParseFailureCode, reason: string, hash = ''): ProcessFileResult => ({
    kind: 'failed',
    path,
    code,
    reason,
    record: documentRecord(task, { size, mtime, hash, status: 'failed', error: reason, errorCode: code })
  })
  try {
    const before = await stat(path)
    size = before.size
    mtime = before.mtimeMs
    if (previous?.status === 'ready' && previous.size === size && previous.mtime === mtime) return { kind: 'unchanged', path }
    if (size > task.maxBytes) {
      return fail('too-large', `${name} is ${formatBytes(size)}; DocuMind imports files up to ${formatBytes(task.maxBytes)}.`)
    }
    const bytes = await readFile(path, { signal })
    const hash = contentHash(bytes)
    if (previous?.status === 'ready' && previous.hash === hash) return { kind: 'unchanged', path, mtime }
    const duplicateOf = task.askDuplicate ? await hooks.duplicateOf?.(hash) : null
    if (duplicateOf) return { kind: 'skipped', path, reason: duplicateReason(duplicateOf) }
    if (extname(name) === '' && formatOf(name, bytes.subarray(0, 8192)) === null) {
      return { kind: 'skipped', path, reason: `${name} has no file extension and is not text; DocuMind does not read it.` }
    }
    // Reading counts for a twentieth, parsing for about half, embedding for the rest.
    const report = hooks.onProgress ?? (() => undefined)
    report(0.05)
    let parsed
    try {
      parsed = await parseDocument(bytes, name, { signal, onProgress: (done, total) => report(0.05 + 0.5 * (done / total)) })
    } catch (error) {
      if (error instanceof ParseFailure) return fail(error.code, error.message, hash)
      throw error
    }
    report(0.55)
    let prepared
    let embedder
    try {
      embedder = await embedderFor(task.embedder)
      prepared = await prepareDocument(parsed, { docId: task.docId, hash, name }, embedder, {
        signal,
        onProgress: (done, total) => report(0.55 + 0.45 * (done / total))
      })
    } catch (error) {
      if (error instanceof LlmError && error.code !== 'aborted') return { kind: 'embedder-failed', path, message: error.message, code: error.code }
      throw error
    }
    const after = await stat(path).catch(() => null)
    const record = documentRecord(task, {
      size,
      mtime,
      hash,
      status: 'ready',
      title: parsed.title ?? null,
      format: parsed.format,
      warnings: parsed.warnings,
      chunkCount: prepared.chunks.id.length,
      pages: parsed.pageCount ?? null
    })
    return { kind: 'indexed', path, record, chunks: packChunks(prepared.chunks, embedder.spec.dim), changedDuringImport: !after || after.mtimeMs !== mtime || after.size !== size }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    const code = (error as NodeJS.ErrnoException).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fail('unreadable', describeFsError(error, path))
    throw error
  }
}

function documentRecord(
  task: ProcessFileTask,
  fields: {
    size: number
    mtime: number
    hash: string
    status: 'ready' | 'failed'
    title?: string | null
    format?: DocumentRecord['format']
    warnings?: string[]
    chunkCount?: number
    pages?: number | null
    error?: string
    errorCode?: string
  }
): DocumentRecord {
  const now = Date.now()
  const name = basename(task.path)
  return {
    id: task.docId,
    path: task.path,
    name,
    title: fields.title ?? null,
    format: fields.format ?? formatOf(name) ?? null,
    size: fields.size,
    mtime: fields.mtime,
    hash: fields.hash,
    status: fields.status,
    error: fields.error ?? null,
    error_code: fields.errorCode ?? null,
    warnings: JSON.stringify(fields.warnings ?? []),
    chunk_count: fields.chunkCount ?? 0,
    pages: fields.pages ?? null,
    created_at: now,
    updated_at: now
  }
}

export function duplicateReason(original: string): string {
  return `Same content as ${original}, which is already in the library.`
}

/** 1536 -> "1.5 KB"; 3_400_000 -> "3.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}
