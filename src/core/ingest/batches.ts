import { performance } from 'node:perf_hooks'
import type { IngestJournal } from './journal'
import type { ContentOwners } from './owners'
import type { FinishedFile } from './read-file'

/** Runs one task of the store worker, the library's one writer. */
export type StoreTask = (name: string, task: object, transferList?: ArrayBuffer[]) => Promise<void>

/** A batch is written once it holds this many chunks, this many documents, or is this old. */
const FLUSH_CHUNKS = 4000
const FLUSH_DOCUMENTS = 250
const FLUSH_AFTER_MS = 1000
/** Reading waits while this many chunks wait to be written, so memory stays bounded. */
const MAX_BUFFERED_CHUNKS = 16_000
/**
 * New modification times are written in one go at the end of an import, or every this many: each
 * write adds a file to the documents table, which only a later import that adds chunks compacts.
 */
const TOUCHED_PER_WRITE = 10_000

/**
 * Collects finished files into batches and has the store worker write them, one batch after the
 * other, while the ingest pool reads on: the threads are never idle behind a LanceDB commit. A
 * batch's files leave the journal once it is written, and `written` hears of them then.
 */
export class BatchWriter {
  private batch: FinishedFile[] = []
  private batchChunks = 0
  private batchStarted = 0
  private writing: Promise<void> = Promise.resolve()
  /** Chunks read and not yet written. */
  private bufferedChunks = 0
  /** New times of files found unchanged by their content, written together (see LibraryWriter.touch). */
  private readonly touched: Array<{ id: string; mtime: number }> = []
  /** The first write that failed (a full disk): the import stops with it. */
  failure: { error: unknown } | null = null

  constructor(
    private readonly store: StoreTask,
    private readonly journal: IngestJournal,
    private readonly owners: ContentOwners,
    private readonly written: (items: FinishedFile[]) => Promise<void>
  ) {}

  /** Too many chunks wait to be written: reading should wait for `flush`. */
  get full(): boolean {
    return this.bufferedChunks >= MAX_BUFFERED_CHUNKS
  }

  /** Adds a finished file to the batch, and starts writing the batch once it is full or old. */
  add(item: FinishedFile): void {
    if (this.batch.length === 0) this.batchStarted = performance.now()
    this.batch.push(item)
    const chunkCount = item.chunks?.count ?? 0
    this.batchChunks += chunkCount
    this.bufferedChunks += chunkCount
    if (this.batchChunks >= FLUSH_CHUNKS || this.batch.length >= FLUSH_DOCUMENTS || this.old()) this.flush().catch(() => undefined)
  }

  /** Writes batches that grow old, so progress never stalls on a slow trickle of files; returns the stop. */
  flushWhenOld(): () => void {
    const timer = setInterval(() => {
      if (this.old()) this.flush().catch(() => undefined)
    }, FLUSH_AFTER_MS / 2)
    return () => clearInterval(timer)
  }

  /** Hands the batch to the store worker (after the writes before it); resolves once it is written. */
  flush(): Promise<void> {
    if (this.batch.length === 0) return this.writing
    const items = this.batch
    this.batch = []
    this.batchChunks = 0
    this.writing = this.writing.then(() => this.write(items))
    // A failed write stops the lanes at their next file; the final flush reports it.
    this.writing.catch((error: unknown) => {
      this.failure ??= { error }
    })
    return this.writing
  }

  /** Writes what is left: the last batch, and the new times of unchanged files. */
  async finish(): Promise<void> {
    await this.flush()
    if (this.touched.length) await this.store('touch', { docs: this.touched.splice(0) })
  }

  private old(): boolean {
    return this.batch.length > 0 && performance.now() - this.batchStarted >= FLUSH_AFTER_MS
  }

  private async write(items: FinishedFile[]): Promise<void> {
    const chunks = items.flatMap((item) => (item.chunks ? [item.chunks] : []))
    const docs = items.flatMap((item) => (item.record ? [item.record] : []))
    const stale = items.flatMap((item) => (item.stale ? [item.stale] : []))
    if (stale.length) await this.store('remove', { docIds: stale })
    for (const item of items) if (item.touched) this.touched.push(item.touched)
    if (this.touched.length >= TOUCHED_PER_WRITE) await this.store('touch', { docs: this.touched.splice(0) })
    if (docs.length || chunks.length) await this.store('commit', { docs, chunks }, chunks.map((part) => part.buffer))
    this.bufferedChunks -= chunks.reduce((sum, part) => sum + part.count, 0)
    for (const item of items) if (item.record?.status === 'ready') this.owners.wrote(item.file.path, item.record.hash)
    await this.journal.done(items.map((item) => item.file.path))
    await this.written(items)
  }
}
