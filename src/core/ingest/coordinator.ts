import { performance } from 'node:perf_hooks'
import type { Piscina } from 'piscina'
import type { EmbedderChoice } from '../embed/choice'
import { LlmError, type LlmErrorCode } from '../llm/errors'
import type { EmbedderSpec } from '../embed/embedder'
import { libraryPaths } from '../store/library'
import type { KnownDocument } from '../store/writer'
import { unwrapWriterResult, type WriterResult } from '../store/writer-protocol'
import { BatchWriter, type StoreTask } from './batches'
import type { IngestEvent, IngestSummary } from './events'
import { IngestJournal, type QueuedFile } from './journal'
import { KnownFiles } from './known'
import { readQueuedFile, type FileReading, type FinishedFile } from './read-file'
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

/** Progress events are sent at most this often. */
const PROGRESS_EVERY_MS = 100

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

/** One minute plus four seconds per megabyte, times three when an Ollama model embeds. */
function defaultFileTimeout(embedder: EmbedderChoice): (bytes: number) => number {
  const factor = embedder.kind === 'ollama' ? 3 : 1
  return (bytes) => factor * (60_000 + (bytes / (1024 * 1024)) * 4_000)
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
  const store: StoreTask = async (name, task, transferList) => {
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

    // 2. Process the queue with the pool. Finished files collect in batches that the store worker
    // writes while the pool reads on (see BatchWriter).
    let filesDone = summary.skipped + summary.failed
    let bytesDone = 0
    const inFlight = new Map<string, QueuedFile>()
    /** Set when the embedder cannot embed: every file would fail alike, so the import stops. */
    let embedderFailure: LlmError | null = null
    /** How far each file being read is, from 0 to 1, as its thread reports it. */
    const fractions = new Map<string, number>()
    /** How often a file was queued again because it changed while being read. */
    const requeued = new Map<string, number>()
    let next = 0
    let lastProgress = 0
    const progress = (force = false): void => {
      const now = performance.now()
      if (!force && now - lastProgress < PROGRESS_EVERY_MS) return
      lastProgress = now
      const current = [...inFlight.keys()].map((path) => ({ path, fraction: fractions.get(path) ?? 0 }))
      emit({ type: 'progress', filesDone, filesTotal, bytesDone, bytesTotal, chunks: summary.chunks, current })
    }

    function record(item: FinishedFile): void {
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

    const batches = new BatchWriter(store, journal, owners, async (items) => {
      for (const item of items) {
        record(item)
        filesDone++
        bytesDone += item.file.size
      }
      progress()
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

    const reading: FileReading = {
      ingest: pools.ingest, known, embedder: options.embedder, maxBytes, timeoutFor, signal,
      onFraction: (path, fraction) => {
        fractions.set(path, fraction)
        progress()
      },
      onEmbedderFailure: (failure) => {
        embedderFailure ??= embedderStopped(options.embedder, failure)
      }
    }

    const processOne = async (file: QueuedFile): Promise<void> => {
      inFlight.set(file.path, file)
      progress()
      const item = await readQueuedFile(file, reading)
      inFlight.delete(file.path)
      fractions.delete(file.path)
      if (item) batches.add(item)
    }

    // As many files in flight as the pool runs at once (two per thread; see engine.ts), never more:
    // a copy may wait for a file started before it, which must then be running, not queued behind it.
    const concurrency = pools.ingest.options.maxThreads * pools.ingest.options.concurrentTasksPerWorker
    const lane = async (): Promise<void> => {
      while (!signal?.aborted && next < queue.length) {
        // Writing to the journal and the library failed (a full disk): the import stops with that
        // error, and the queue keeps the file for the next run.
        if (batches.failure) throw batches.failure.error
        if (embedderFailure) return
        while (batches.full) await batches.flush()
        await processOne(queue[next++])
      }
    }
    const stopAgeFlush = batches.flushWhenOld()
    try {
      // A flush may queue files again (they changed while being read), hence the outer loop.
      while (!signal?.aborted && !embedderFailure && next < queue.length) {
        await Promise.all(Array.from({ length: concurrency }, lane))
        await batches.flush()
      }
    } finally {
      stopAgeFlush()
    }
    await batches.finish()
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
