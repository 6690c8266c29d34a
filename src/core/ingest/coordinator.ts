import { performance } from 'node:perf_hooks'
import { MessageChannel } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import type { EmbedderChoice } from '../embed/choice'
import { LlmError, type LlmErrorCode } from '../llm/errors'
import type { EmbedderSpec } from '../embed/embedder'
import { libraryPaths } from '../store/library'
import type { PackedChunks } from '../store/packed'
import type { DocumentRecord } from '../store/schema'
import type { KnownDocument } from '../store/writer'
import { unwrapWriterResult, type WriterResult } from '../store/writer-protocol'
import type { ParseFailureCode } from '../types'
import type { FileOutcome, IngestEvent, IngestSummary } from './events'
import { IngestJournal, type QueuedFile } from './journal'
import { KnownFiles } from './known'
import { documentId } from './prepare'
import { duplicateReason, formatBytes, type DuplicateAnswer, type ProcessFileResult, type ProcessFileTask, type TaskMessage } from './process'
import { walkPaths } from './walk'

export interface IngestPools {
  /** Runs `ingest.worker` tasks: one file each. */
  ingest: Piscina
  /** Runs `store.worker` tasks: the library's one writer. */
  store: Piscina
  /**
   * Called once every file is read, with the bytes read, before the writer builds the indexes: the
   * pool's owner may stop the ingest threads then (see `Engine`).
   */
  filesRead?: (bytes: number) => Promise<void>
}

export interface IngestOptions {
  libraryDir: string
  embedder: EmbedderChoice
  /** The chosen embedder's exact spec (for Ollama, probed beforehand). */
  embedderSpec: EmbedderSpec
  signal?: AbortSignal
  onEvent?: (event: IngestEvent) => void
  /** Files larger than this fail as too large without being read. Default 256 MB. */
  maxBytes?: number
  /** Time limit for one file, by size. */
  fileTimeoutMs?: (bytes: number) => number
}

/** A batch is written once it holds this many chunks, this many documents, or is this old. */
const FLUSH_CHUNKS = 4000
const FLUSH_DOCUMENTS = 250
const FLUSH_AFTER_MS = 1000
/** Reading stops while this many chunks wait to be written, so memory stays bounded. */
const MAX_BUFFERED_CHUNKS = 16_000
const PROGRESS_EVERY_MS = 100
/**
 * New modification times are written in one go at the end of an import, or every this many: each
 * write adds a file to the documents table, which only a later import that adds chunks compacts.
 */
const TOUCHED_PER_WRITE = 10_000

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

/** One minute plus four seconds per megabyte, times three when an Ollama model embeds. */
function defaultFileTimeout(embedder: EmbedderChoice): (bytes: number) => number {
  const factor = embedder.kind === 'ollama' ? 3 : 1
  return (bytes) => factor * (60_000 + (bytes / (1024 * 1024)) * 4_000)
}

interface Finished {
  file: QueuedFile
  outcome: FileOutcome
  record?: DocumentRecord
  chunks?: PackedChunks
  reason?: string
  code?: ParseFailureCode
  warnings?: string[]
  again?: boolean
  /** The document whose library version goes: its file is now skipped. */
  stale?: string
  /** The new modification time of a file found unchanged by its content. */
  touched?: { id: string; mtime: number }
}

/**
 * Imports files and folders: walks them into the persistent queue, then has the ingest pool read,
 * parse, chunk and embed each file while the store worker writes finished documents in batches.
 * Resumes whatever an earlier run left pending. The calling thread only coordinates, so it stays
 * responsive (the CLI measures its event-loop delay).
 */
export async function runIngest(paths: string[], pools: IngestPools, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now()
  const { signal } = options
  const emit = options.onEvent ?? (() => undefined)
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const timeoutFor = options.fileTimeoutMs ?? defaultFileTimeout(options.embedder)
  const summary: IngestSummary = {
    files: 0, indexed: 0, unchanged: 0, skipped: 0, failed: 0, chunks: 0, bytes: 0, seconds: 0, searchableSeconds: 0, indexSeconds: 0,
    cancelled: false, failures: [], skippedFiles: [], warnings: []
  }
  const store = async (name: string, task: object, transferList?: ArrayBuffer[]): Promise<void> => {
    unwrapWriterResult((await pools.store.run(task, { name, transferList })) as WriterResult)
  }

  const journal = await IngestJournal.open(libraryPaths(options.libraryDir).journal)
  await store('open', { dir: options.libraryDir, embedder: options.embedderSpec })
  try {
    // 1. Walk what the user gave into the queue.
    const walked: QueuedFile[] = []
    for await (const entry of walkPaths(paths, signal)) {
      if (entry.kind === 'file') walked.push(entry.file)
      else if (entry.kind === 'skipped') record({ file: { path: entry.path, size: 0, mtime: 0 }, outcome: 'skipped', reason: entry.reason })
      else record({ file: { path: entry.path, size: 0, mtime: 0 }, outcome: 'failed', code: entry.code, reason: entry.reason })
      if (walked.length >= 1000) await journal.add(walked.splice(0))
    }
    await journal.add(walked)
    const queue = journal.pending()
    // What the library knows of these files: their previous versions, and the documents they could be copies of.
    const known = await KnownFiles.of(queue, async (docIds, sizes) => (await pools.store.run({ docIds, sizes }, { name: 'known' })) as KnownDocument[])
    const { owners } = known
    // Files the library has come first, so that a copy of one is read after it (see ContentOwners).
    // Then the largest files: a long file started last would keep one thread busy while the others
    // have nothing left to do, so the whole import would wait for it.
    queue.sort((a, b) => Number(owners.isQueued(b.path)) - Number(owners.isQueued(a.path)) || b.size - a.size)
    let filesTotal = queue.length + summary.skipped + summary.failed
    let bytesTotal = queue.reduce((sum, file) => sum + file.size, 0)
    emit({ type: 'queued', filesTotal, bytesTotal })

    // 2. Process the queue with the pool. Finished files collect in a batch that the store worker
    // writes while the pool reads on: a lane waits for writing only when too many chunks are
    // waiting to be written, so the ingest threads are never idle behind a LanceDB commit.
    let filesDone = summary.skipped + summary.failed
    let bytesDone = 0
    const inFlight = new Map<string, QueuedFile>()
    let batch: Finished[] = []
    let batchChunks = 0
    let batchStarted = 0
    let writing: Promise<void> = Promise.resolve()
    /** New times of files found unchanged by their content, written together (see LibraryWriter.touch). */
    const touched: Array<{ id: string; mtime: number }> = []
    let writeFailure: { error: unknown } | null = null
    /** Set when the embedder cannot embed: every file would fail alike, so the import stops. */
    let embedderFailure: LlmError | null = null
    /** How far each file being read is, from 0 to 1, as its thread reports it. */
    const fractions = new Map<string, number>()
    /** How often a file was queued again because it changed while being read. */
    const requeued = new Map<string, number>()
    let bufferedChunks = 0
    let next = 0
    let lastProgress = 0
    const progress = (force = false): void => {
      const now = performance.now()
      if (!force && now - lastProgress < PROGRESS_EVERY_MS) return
      lastProgress = now
      const current = [...inFlight.keys()].map((path) => ({ path, fraction: fractions.get(path) ?? 0 }))
      emit({ type: 'progress', filesDone, filesTotal, bytesDone, bytesTotal, chunks: summary.chunks, current })
    }

    function record(item: Finished): void {
      summary.files++
      if (item.outcome === 'indexed') {
        summary.indexed++
        summary.chunks += item.record?.chunk_count ?? 0
      } else if (item.outcome === 'unchanged') summary.unchanged++
      else if (item.outcome === 'skipped') {
        summary.skipped++
        summary.skippedFiles.push({ path: item.file.path, reason: item.reason ?? '' })
      } else {
        summary.failed++
        summary.failures.push({ path: item.file.path, code: item.code ?? 'corrupt', reason: item.reason ?? '' })
      }
      if (item.warnings?.length) summary.warnings.push({ path: item.file.path, warnings: item.warnings })
      emit({ type: 'file', path: item.file.path, outcome: item.outcome, reason: item.reason, code: item.code, chunks: item.record?.chunk_count, warnings: item.warnings })
    }

    const finish = (items: Finished[]): void => {
      for (const item of items) {
        record(item)
        filesDone++
        bytesDone += item.file.size
      }
      progress()
    }

    /** Hands the batch to the store worker (after the writes before it); the journal records it once written. */
    const flush = (): Promise<void> => {
      if (batch.length === 0) return writing
      const items = batch
      batch = []
      batchChunks = 0
      writing = writing.then(async () => {
        const chunks = items.flatMap((item) => (item.chunks ? [item.chunks] : []))
        const docs = items.flatMap((item) => (item.record ? [item.record] : []))
        const stale = items.flatMap((item) => (item.stale ? [item.stale] : []))
        if (stale.length) await store('remove', { docIds: stale })
        for (const item of items) if (item.touched) touched.push(item.touched)
        if (touched.length >= TOUCHED_PER_WRITE) await store('touch', { docs: touched.splice(0) })
        if (docs.length || chunks.length) await store('commit', { docs, chunks }, chunks.map((part) => part.buffer))
        bufferedChunks -= chunks.reduce((sum, part) => sum + part.count, 0)
        for (const item of items) if (item.record?.status === 'ready') owners.wrote(item.file.path, item.record.hash)
        await journal.done(items.map((item) => item.file.path))
        finish(items)
        // A file that keeps changing (a log being written) is read at most three times; the last
        // version read stays in the library, with a warning.
        const again: QueuedFile[] = []
        for (const item of items.filter((i) => i.again)) {
          const times = (requeued.get(item.file.path) ?? 0) + 1
          requeued.set(item.file.path, times)
          if (times <= 2) again.push(item.file)
          else summary.warnings.push({ path: item.file.path, warnings: ['The file kept changing while it was imported; the version read last is in the library.'] })
        }
        if (again.length) {
          await journal.add(again)
          queue.push(...again)
          filesTotal += again.length
          bytesTotal += again.reduce((sum, file) => sum + file.size, 0)
        }
      })
      // A failed write (a full disk) stops the lanes at their next file; the final flush reports it.
      writing.catch((error: unknown) => {
        writeFailure ??= { error }
      })
      return writing
    }

    /** Adds a finished file to the batch, and starts writing the batch once it is full or old. */
    const settle = (item: Finished): void => {
      if (batch.length === 0) batchStarted = performance.now()
      batch.push(item)
      const chunkCount = item.chunks?.count ?? 0
      batchChunks += chunkCount
      bufferedChunks += chunkCount
      if (batchChunks >= FLUSH_CHUNKS || batch.length >= FLUSH_DOCUMENTS || performance.now() - batchStarted >= FLUSH_AFTER_MS) {
        flush().catch(() => undefined)
      }
    }

    /** Reads one file in the pool and turns whatever happens into a finished item. */
    const readOne = async (file: QueuedFile): Promise<Finished | null> => {
      const docId = documentId(file.path)
      const previous = known.previous(docId)
      const { port1: port, port2: workerPort } = new MessageChannel()
      const task: ProcessFileTask = {
        path: file.path, docId, previous, embedder: options.embedder, maxBytes, port: workerPort,
        askDuplicate: known.asksAboutCopies(file)
      }
      const limit = Math.ceil(timeoutFor(file.size))
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
        else if (message.type === 'progress') {
          fractions.set(file.path, message.fraction)
          progress()
        } else void copyOf(message.hash).then((of) => port.postMessage({ type: 'duplicate', of } satisfies DuplicateAnswer))
      })
      const taskSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
      let result: ProcessFileResult | null = null
      owners.reading(file.path)
      try {
        result = (await pools.ingest.run(task, { signal: taskSignal, transferList: [workerPort] })) as ProcessFileResult
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
        embedderFailure ??= embedderStopped(options.embedder, result)
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

    const processOne = async (file: QueuedFile): Promise<void> => {
      inFlight.set(file.path, file)
      progress()
      const attempt = (): Promise<Finished | null> =>
        readOne(file).catch((error: Error): Finished => {
          const reason = `DocuMind could not import ${file.path}: ${error.message}`
          return { file, outcome: 'failed', code: 'crashed', reason, record: failedRecord(file, documentId(file.path), 'crashed', reason) }
        })
      let item = await attempt()
      // A thread that dies (out of memory, or stopped for a file over its time limit) takes the
      // other file it was reading with it: each gets a second try on a fresh thread, and only a
      // file that kills its thread again is reported as crashed.
      if (item?.code === 'crashed' && !signal?.aborted) item = await attempt()
      inFlight.delete(file.path)
      fractions.delete(file.path)
      if (item) settle(item)
    }

    // As many files in flight as the pool runs at once (two per thread; see engine.ts), never more:
    // a copy may wait for a file started before it, which must then be running, not queued behind it.
    const concurrency = pools.ingest.options.maxThreads * pools.ingest.options.concurrentTasksPerWorker
    const lane = async (): Promise<void> => {
      while (!signal?.aborted && next < queue.length) {
        // Settling writes to the journal and the library: if that failed (a full disk), the import
        // stops with that error and the queue keeps the file for the next run.
        if (writeFailure) throw writeFailure.error
        if (embedderFailure) return
        while (bufferedChunks >= MAX_BUFFERED_CHUNKS) await flush()
        await processOne(queue[next++])
      }
    }
    // Batches are also written when they grow old, so progress never stalls on a slow trickle.
    const ageFlush = setInterval(() => {
      if (batch.length && performance.now() - batchStarted >= FLUSH_AFTER_MS) flush().catch(() => undefined)
    }, FLUSH_AFTER_MS / 2)
    try {
      // A flush may queue files again (they changed while being read), hence the outer loop.
      while (!signal?.aborted && !embedderFailure && next < queue.length) {
        await Promise.all(Array.from({ length: concurrency }, lane))
        await flush()
      }
    } finally {
      clearInterval(ageFlush)
    }
    await flush()
    if (touched.length) await store('touch', { docs: touched.splice(0) })
    if (signal?.aborted) {
      summary.cancelled = true
      await journal.clear()
    }
    await journal.compact()
    // Every lane has returned, so no file is in an ingest thread.
    await pools.filesRead?.(bytesDone)
    summary.bytes = bytesDone
    progress(true)
    // What was imported is written; the files not yet imported stay queued for the next run.
    if (embedderFailure) throw embedderFailure
  } finally {
    // Whatever was written is made searchable first, and said so; the vector index follows.
    const closing = performance.now()
    emit({ type: 'stage', stage: 'indexing' })
    await store('searchable', {}).catch(() => undefined)
    summary.searchableSeconds = (performance.now() - started) / 1000
    emit({ type: 'stage', stage: 'searchable' })
    await store('close', {}).catch(() => undefined)
    summary.indexSeconds = (performance.now() - closing) / 1000
  }
  summary.seconds = (performance.now() - started) / 1000
  return summary
}

/** The error that stops an import whose embedder cannot embed, saying what to do. */
function embedderStopped(choice: EmbedderChoice, failure: { message: string; code: LlmErrorCode }): LlmError {
  const host = choice.kind === 'ollama' ? choice.host : ''
  const model = choice.kind === 'ollama' ? choice.model : undefined
  return new LlmError(
    failure.code,
    `The import stopped: this library's embedding model${model ? ` (${model})` : ''} could not embed. ${failure.message} ` +
      'What was imported so far is kept, and the remaining files stay queued: they continue when you import again once Ollama is back.',
    { host, model }
  )
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
