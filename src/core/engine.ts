import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import type { Piscina } from 'piscina'
import ingestWorkerPath from '../workers/ingest.worker?modulePath'
import storeWorkerPath from '../workers/store.worker?modulePath'
import { answerQuestion } from './answer/answer'
import { BUILTIN_SPEC, choiceForSpec, createEmbedder, embedderCache, type EmbedderChoice } from './embed/choice'
import type { Embedder, EmbedderSpec } from './embed/embedder'
import { runIngest, type IngestOptions, type IngestPools } from './ingest/coordinator'
import type { IngestEvent, IngestSummary } from './ingest/events'
import { IngestJournal } from './ingest/journal'
import { createOllamaGateway } from './llm/ollama'
import type { ModelGateway } from './llm/gateway'
import { hybridSearch, type SearchResult } from './retrieval/hybrid'
import { LibraryError, asLibraryError, checkEmbedder, libraryPaths, readMeta, writerDied, type LibraryMeta } from './store/library'
import type { Passage } from './store/passage'
import { LibraryReader } from './store/reader'
import { unwrapWriterResult, type WriterResult } from './store/writer-protocol'
import { threadPool } from './threads'
import type { Answer, Hit } from './types'
import { listDocuments, resolveDocuments, type DocumentSummary } from './documents'

export interface EngineConfig {
  libraryDir: string
  /** Base URL of the Ollama server. */
  ollamaHost: string
  /** Threads for parsing and embedding; default: one per core. */
  ingestThreads?: number
  /** Heap limit of each ingest thread, in MB: a file that needs more fails as 'crashed'. Default 2048. */
  ingestHeapMb?: number
}

export interface IngestRequest {
  /** Default: the library's recorded embedder, else the built-in one. */
  embedder?: EmbedderChoice
  signal?: AbortSignal
  onEvent?: (event: IngestEvent) => void
  maxBytes?: number
  fileTimeoutMs?: IngestOptions['fileTimeoutMs']
}

export interface AskRequest {
  k?: number
  docIds?: string[]
  model?: string
  signal?: AbortSignal
  onToken?: (token: string) => void
  /** Called with the hits once retrieval is done, before the model starts. */
  onHits?: (hits: Hit[]) => void
}

/**
 * An import that read this much lets its ingest threads go before the writer closes. A parser's
 * memory only grows (PDFium's heap is a WebAssembly memory), and the writer's closing index builds
 * need it: importing the 205 MB benchmark corpus (96,000 chunks) peaked at 1.38–1.43 GB with the
 * threads kept, 1.09–1.14 GB with them let go (stopping them took 120–150 ms). A small import keeps
 * them for the next one: starting them again made each later one-note import in the same process
 * 310–420 ms instead of 34–58 ms.
 */
export const RELEASE_INGEST_FROM_BYTES = 64 * 1024 * 1024

/**
 * The young generation of an ingest thread's heap. Parsing makes many short-lived strings and
 * arrays; with V8's default size they are copied out of it so often that V8's helper threads spent
 * 12.1 s collecting garbage during one 96,000-chunk import of the benchmark corpus, a tenth of its
 * CPU; with 256 MB, 8.9 s. Over six imports against eight, alternated, the parse phase took 48–58 s
 * (median 49) against 49–65 s (median 56.8): a small gain within a noisy host's range, not a sure
 * one (96 and 192 MB with the built-in embedder had shown none; see bench/notes.md, Import). The
 * space is only used while a thread allocates that fast, and a thread goes when idle or when a
 * large import has read its files.
 */
export const INGEST_YOUNG_GENERATION_MB = 256

/**
 * The engine as the hosts (CLI, web server, Electron main) use it: one library folder, worker pools
 * for importing, and search and answers. Pools start on first use and stop on `close`.
 */
export class Engine {
  /** Started with an import, and let go once a large one has read its files (see `RELEASE_INGEST_FROM_BYTES`). */
  private ingestPool: Piscina | null = null
  private storePool: Piscina | null = null
  private reader: LibraryReader | null = null
  private readonly embedders = embedderCache()
  readonly gateway: ModelGateway

  constructor(readonly config: EngineConfig) {
    this.gateway = createOllamaGateway({ host: config.ollamaHost })
  }

  get libraryDir(): string {
    return this.config.libraryDir
  }

  /** Imports files and folders, resuming whatever an earlier run left in the queue. */
  async ingest(paths: string[], request: IngestRequest = {}): Promise<IngestSummary> {
    const choice = request.embedder ?? (await this.recordedChoice())
    const spec = await this.specOf(choice, request.signal)
    checkEmbedder(await readMeta(this.libraryDir), spec)
    try {
      return await runIngest(
        paths.map((path) => resolve(path)),
        this.workerPools(),
        { libraryDir: this.libraryDir, embedder: choice, embedderSpec: spec, signal: request.signal, onEvent: request.onEvent, maxBytes: request.maxBytes, fileTimeoutMs: request.fileTimeoutMs }
      )
    } catch (error) {
      // A full disk or a read-only folder, whether met by LanceDB or by the queue's journal.
      throw asLibraryError(error, this.libraryDir)
    }
  }

  /**
   * True when an earlier import left work to finish: files in the queue (it was cancelled by a
   * crash or a quit), or a writer that died, perhaps while it built the indexes after the last file.
   */
  async hasPendingImport(): Promise<boolean> {
    if (await writerDied(this.libraryDir)) return true
    return (await IngestJournal.open(libraryPaths(this.libraryDir).journal)).pending().length > 0
  }

  /**
   * Rebuilds the library from its documents' files with `embedder` (the way to change embedder):
   * the old index is dropped first, so vectors of two embedders are never mixed.
   */
  async reindex(request: IngestRequest = {}): Promise<IngestSummary> {
    const docs = await this.documents().catch((error: unknown) => {
      if (!(error instanceof LibraryError && error.code === 'corrupt')) throw error
      throw new LibraryError(
        'corrupt',
        `${error.message.replace(/ re-index to rebuild.*$/, '')} The damaged part is the document list itself, so DocuMind cannot tell ` +
          `which files to read again. Move the folder ${libraryPaths(this.libraryDir).db} aside and import your folders again; your chats are kept.`
      )
    })
    const choice = request.embedder ?? (await this.recordedChoice())
    const spec = await this.specOf(choice, request.signal)
    this.reader?.close()
    this.reader = null
    await this.store('open', { dir: this.libraryDir, embedder: spec, rebuild: true })
    try {
      return await this.ingest(docs.map((doc) => doc.path), { ...request, embedder: choice })
    } finally {
      await this.store('close', {}).catch(() => undefined)
    }
  }

  /** Hybrid search over ready documents, with the library's own embedder. */
  async search(query: string, options: { k?: number; docIds?: string[]; signal?: AbortSignal } = {}): Promise<SearchResult> {
    // The embedder is chosen from the settings the search reads; if it cannot be had, the search
    // says so in a notice and answers from keywords.
    return hybridSearch(await this.openReader(), (meta) => this.embedderOf(meta), query, options)
  }

  /** Retrieves, then answers from the model (streamed) or extractively when no model can answer. */
  async ask(question: string, request: AskRequest = {}): Promise<Answer & { hits: Hit[]; notices: string[] }> {
    const result = await this.search(question, { k: request.k ?? 6, docIds: request.docIds, signal: request.signal })
    request.onHits?.(result.hits)
    const answer = await answerQuestion({
      question,
      hits: result.hits,
      noMatch: result.noMatch,
      gateway: this.gateway,
      model: request.model,
      signal: request.signal,
      onToken: request.onToken
    })
    return { ...answer, hits: result.hits, notices: result.notices }
  }

  /** Every document: imported, failed, and still queued. */
  async documents(): Promise<DocumentSummary[]> {
    return listDocuments(await this.openReader(), this.libraryDir)
  }

  /** Removes documents (by id or path) and their chunks; returns the removed ones. */
  async remove(idsOrPaths: string[]): Promise<DocumentSummary[]> {
    const docs = resolveDocuments(await this.documents(), idsOrPaths)
    const meta = await readMeta(this.libraryDir)
    await this.store('open', { dir: this.libraryDir, embedder: meta.embedder ?? BUILTIN_SPEC })
    try {
      await this.store('remove', { docIds: docs.map((doc) => doc.id) })
    } finally {
      await this.store('close', {})
    }
    return docs
  }

  /** The chunks of one document in order, from the engine's read connection (for showing a passage in context). */
  async chunksOf(docId: string): Promise<Passage[]> {
    return (await this.openReader()).chunksOf(docId)
  }

  async close(): Promise<void> {
    this.reader?.close()
    this.reader = null
    const pools = [this.ingestPool, this.storePool]
    this.ingestPool = this.storePool = null
    await Promise.all(pools.map((pool) => pool?.destroy()))
  }

  /** The embedder that built the library, ready to embed queries (null for an empty library). */
  private embedderOf(meta: LibraryMeta): Promise<Embedder | null> {
    return meta.embedder ? this.embedders(choiceForSpec(meta.embedder, this.config.ollamaHost)) : Promise.resolve(null)
  }

  private async recordedChoice(): Promise<EmbedderChoice> {
    const meta = await readMeta(this.libraryDir)
    return meta.embedder ? choiceForSpec(meta.embedder, this.config.ollamaHost) : { kind: 'builtin' }
  }

  private async specOf(choice: EmbedderChoice, signal?: AbortSignal): Promise<EmbedderSpec> {
    return choice.kind === 'builtin' ? BUILTIN_SPEC : (await createEmbedder(choice, signal)).spec
  }

  private async openReader(): Promise<LibraryReader> {
    this.reader ??= await LibraryReader.open(this.libraryDir)
    return this.reader
  }

  private workerPools(): IngestPools {
    const threads = this.config.ingestThreads ?? Math.max(1, availableParallelism())
    this.ingestPool ??= threadPool({
      filename: ingestWorkerPath,
      // Threads start with the pool, loading their code while the writer opens the library.
      minThreads: threads,
      maxThreads: threads,
      // Two files per thread: while one waits for its embeddings (or its file), the other
      // parses, and a thread never idles while the main thread hands it its next file.
      // `async` atomics keep an idle thread's event loop turning (kept-alive sockets close cleanly).
      concurrentTasksPerWorker: 2,
      atomics: 'async',
      idleTimeout: 30_000,
      // A file that makes a parser balloon kills its own thread, not the app.
      resourceLimits: { maxOldGenerationSizeMb: this.config.ingestHeapMb ?? 2048, maxYoungGenerationSizeMb: INGEST_YOUNG_GENERATION_MB }
    })
    const ingest = this.ingestPool
    return {
      ingest,
      store: this.writerPool(),
      filesRead: async (bytes) => {
        if (bytes < RELEASE_INGEST_FROM_BYTES) return
        if (this.ingestPool === ingest) this.ingestPool = null
        await ingest.destroy()
      }
    }
  }

  private writerPool(): Piscina {
    // The store worker exports one function per task and no default; `name` names the one Piscina checks at start.
    this.storePool ??= threadPool({ filename: storeWorkerPath, name: 'open', minThreads: 1, maxThreads: 1, idleTimeout: 60_000 })
    return this.storePool
  }

  private async store(name: string, task: object): Promise<void> {
    unwrapWriterResult((await this.writerPool().run(task, { name })) as WriterResult)
  }
}
