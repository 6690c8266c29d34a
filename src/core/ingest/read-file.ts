import { MessageChannel } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import type { EmbedderChoice } from '../embed/choice'
import type { LlmErrorCode } from '../llm/errors'
import type { PackedChunks } from '../store/packed'
import type { DocumentRecord } from '../store/schema'
import type { ParseFailureCode } from '../types'
import type { FileOutcome } from './events'
import type { QueuedFile } from './journal'
import type { KnownFiles } from './known'
import { documentId } from './prepare'
import { duplicateReason, formatBytes, type DuplicateAnswer, type ProcessFileResult, type ProcessFileTask, type TaskMessage } from './process'

/** A file the import is done with, whatever became of it: what its batch writes and the summary counts. */
export interface FinishedFile {
  file: QueuedFile
  outcome: FileOutcome
  record?: DocumentRecord
  chunks?: PackedChunks
  reason?: string
  code?: ParseFailureCode
  warnings?: string[]
  /** The file changed while it was read: it is queued again once this version is written. */
  again?: boolean
  /** The document whose library version goes: its file is now skipped. */
  stale?: string
  /** The new modification time of a file found unchanged by its content. */
  touched?: { id: string; mtime: number }
}

/** What reading a file in the ingest pool needs from the import. */
export interface FileReading {
  ingest: Piscina
  known: KnownFiles
  embedder: EmbedderChoice
  maxBytes: number
  /** Time limit for one file, by size. */
  timeoutFor: (bytes: number) => number
  signal?: AbortSignal
  /** How far the thread reading `path` is, from 0 to 1. */
  onFraction: (path: string, fraction: number) => void
  /** The embedder could not embed: every file would fail alike, so the import stops. */
  onEmbedderFailure: (failure: { message: string; code: LlmErrorCode }) => void
}

/**
 * Reads one file in the ingest pool and turns whatever happens into a finished file; null when
 * the import was cancelled or its embedder failed. A thread that dies (out of memory, or stopped
 * for a file over its time limit) takes the other file it was reading with it: each gets a second
 * try on a fresh thread, and only a file that kills its thread again is reported as crashed.
 */
export async function readQueuedFile(file: QueuedFile, reading: FileReading): Promise<FinishedFile | null> {
  const attempt = (): Promise<FinishedFile | null> =>
    readOnce(file, reading).catch((error: Error): FinishedFile => {
      const reason = `DocuMind could not import ${file.path}: ${error.message}`
      return { file, outcome: 'failed', code: 'crashed', reason, record: failedRecord(file, documentId(file.path), 'crashed', reason) }
    })
  const item = await attempt()
  return item?.code === 'crashed' && !reading.signal?.aborted ? attempt() : item
}

async function readOnce(file: QueuedFile, reading: FileReading): Promise<FinishedFile | null> {
  const { known, signal } = reading
  const { owners } = known
  const docId = documentId(file.path)
  const previous = known.previous(docId)
  const { port1: port, port2: workerPort } = new MessageChannel()
  const task: ProcessFileTask = {
    path: file.path, docId, previous, embedder: reading.embedder, maxBytes: reading.maxBytes, port: workerPort,
    askDuplicate: known.asksAboutCopies(file)
  }
  const limit = Math.ceil(reading.timeoutFor(file.size))
  const timeout = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  // The time limit runs while a thread works on the file: not while it is queued behind a long
  // one, nor while it waits to learn whether it is a copy of a file being read.
  const runClock = (running: boolean): void => {
    clearTimeout(timer)
    if (running) timer = setTimeout(() => timeout.abort(new Error('timed out')), limit)
  }
  // The file's content differs from what the library has of it: that old content leaves, and
  // the new one is either held by another file or claimed by this one until its outcome.
  const copyOf = async (hash: string): Promise<string | null> => {
    owners.release(file.path)
    const original = await owners.ownerOf(hash, file.path, async (outcome) => {
      runClock(false)
      await outcome
      runClock(true)
    })
    if (original === null) owners.claim(file.path, hash)
    return original
  }
  port.on('message', (message: TaskMessage) => {
    if (message.type === 'started') runClock(true)
    else if (message.type === 'progress') reading.onFraction(file.path, message.fraction)
    else void copyOf(message.hash).then((of) => port.postMessage({ type: 'duplicate', of } satisfies DuplicateAnswer))
  })
  const taskSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
  let result: ProcessFileResult | null = null
  owners.reading(file.path)
  try {
    result = (await reading.ingest.run(task, { signal: taskSignal, transferList: [workerPort] })) as ProcessFileResult
  } catch (error) {
    if (signal?.aborted) return null
    const timedOut = timeout.signal.aborted
    const reason = timedOut
      ? `Reading ${file.path} took longer than ${Math.round(limit / 1000)} s, so it was stopped. The file may be damaged or unusually complex.`
      : `The reader crashed on ${file.path} (${(error as Error).message}). The file may be damaged or too large to read${file.size > 0 ? ` (${formatBytes(file.size)})` : ''}.`
    const code: ParseFailureCode = timedOut ? 'timeout' : 'crashed'
    return { file, outcome: 'failed', code, reason, record: failedRecord(file, docId, code, reason) }
  } finally {
    runClock(false)
    port.close()
    // An indexed file holds its content from now on: its copies are skipped, though it is not written yet.
    owners.settle(file.path, result?.kind === 'unchanged' ? (previous?.hash ?? null) : result?.kind === 'indexed' ? result.record.hash : null)
  }
  if (result.kind === 'unchanged') return { file, outcome: 'unchanged', touched: result.mtime === undefined ? undefined : { id: docId, mtime: result.mtime } }
  // A file the library has that is now skipped (a copy of another) leaves the library with its old content.
  const stale = previous?.status === 'ready' ? docId : undefined
  if (result.kind === 'skipped') return { file, outcome: 'skipped', reason: result.reason, stale }
  if (result.kind === 'failed') return { file, outcome: 'failed', code: result.code, reason: result.reason, record: withCreated(result.record, previous) }
  if (result.kind === 'embedder-failed') {
    reading.onEmbedderFailure(result)
    return null
  }
  // A file that changed since it was queued may now be a copy of a document of another size.
  await known.lookUpSize(result.record.size)
  const duplicateOf = await owners.ownerOf(result.record.hash, file.path)
  if (duplicateOf) {
    owners.release(file.path)
    return { file, outcome: 'skipped', reason: duplicateReason(duplicateOf), stale }
  }
  const warnings = JSON.parse(result.record.warnings) as string[]
  return { file, outcome: 'indexed', record: withCreated(result.record, previous), chunks: result.chunks, warnings, again: result.changedDuringImport }
}

function withCreated(record: DocumentRecord, previous: { created_at?: number } | null): DocumentRecord {
  return previous?.created_at ? { ...record, created_at: previous.created_at } : record
}

function failedRecord(file: QueuedFile, docId: string, code: ParseFailureCode, reason: string): DocumentRecord {
  const now = Date.now()
  const name = file.path.slice(Math.max(file.path.lastIndexOf('/'), file.path.lastIndexOf('\\')) + 1)
  return {
    id: docId, path: file.path, name, title: null, format: null, size: file.size, mtime: file.mtime, hash: '',
    status: 'failed', error: reason, error_code: code, warnings: '[]', chunk_count: 0, pages: null, created_at: now, updated_at: now
  }
}
