/**
 * The LangChain.js reference of issue 5, run as a child process of the benchmark so that its
 * memory and event loop are its own: DirectoryLoader with the PDF, DOCX, EPUB, text and HTML
 * loaders, RecursiveCharacterTextSplitter (1000/200), OllamaEmbeddings and the @langchain/community
 * LanceDB store, as a developer would write it from LangChain's docs.
 *
 * Two departures from the docs, both needed for it to finish at all (the issue asks for them): a
 * try/catch per file (DirectoryLoader otherwise stops the whole import at the first unreadable
 * file) and `source` as the only metadata (the LanceDB store infers its schema from the first rows
 * and fails on PDF metadata that holds null).
 *
 * Modes: `docs` adds every chunk in one call (`LanceDB.fromDocuments`), as the docs show;
 * `batched` is the hand-tuned form, `addDocuments` in batches of 512.
 *
 * Usage: tsx bench/langchain-import.ts MODE CORPUS_DIR DB_DIR OLLAMA_URL
 * Prints one JSON line (LangchainImportResult) on stdout.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { DirectoryLoader, UnknownHandling } from '@langchain/classic/document_loaders/fs/directory'
import { TextLoader } from '@langchain/classic/document_loaders/fs/text'
import { DocxLoader } from '@langchain/community/document_loaders/fs/docx'
import { EPubLoader } from '@langchain/community/document_loaders/fs/epub'
import { PDFLoader } from '@langchain/community/document_loaders/fs/pdf'
import { HtmlToTextTransformer } from '@langchain/community/document_transformers/html_to_text'
import { LanceDB } from '@langchain/community/vectorstores/lancedb'
import { Document } from '@langchain/core/documents'
import { BaseDocumentLoader } from '@langchain/core/document_loaders/base'
import { OllamaEmbeddings } from '@langchain/ollama'
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters'

export type LangchainMode = 'docs' | 'batched'

export interface LangchainImportResult {
  mode: LangchainMode
  files_loaded: number
  files_failed: number
  chunks: number
  seconds: number
  load_split_seconds: number
  event_loop_p99_ms: number
  event_loop_max_ms: number
  /** The first error, when the pipeline as a whole failed (it then reports what it had done). */
  error: string | null
}

const BATCH = 512

/** HTML as text, the LangChain way: the file through TextLoader, then HtmlToTextTransformer. */
class HtmlLoader extends BaseDocumentLoader {
  constructor(private readonly path: string) {
    super()
  }

  async load(): Promise<Document[]> {
    return new HtmlToTextTransformer().transformDocuments(await new TextLoader(this.path).load())
  }
}

let loaded = 0
let failed = 0

/** The per-file try/catch: an unreadable file is counted and skipped, not fatal. */
class TolerantLoader extends BaseDocumentLoader {
  constructor(private readonly inner: BaseDocumentLoader) {
    super()
  }

  async load(): Promise<Document[]> {
    try {
      const docs = await this.inner.load()
      loaded++
      return docs
    } catch {
      failed++
      return []
    }
  }
}

function tolerant(make: (path: string) => BaseDocumentLoader): (path: string) => BaseDocumentLoader {
  return (path) => new TolerantLoader(make(path))
}

async function main(): Promise<void> {
  const [mode, corpus, db, ollamaUrl] = process.argv.slice(2) as [LangchainMode, string, string, string]
  // The same settings as DocuMind's CLI uses for its import: 1 ms resolution (see bench/README in BENCHMARKS.md).
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const started = performance.now()
  let chunks = 0
  let loadSplitSeconds = 0
  let error: string | null = null
  try {
    const loader = new DirectoryLoader(
      corpus,
      {
        '.pdf': tolerant((path) => new PDFLoader(path)),
        '.docx': tolerant((path) => new DocxLoader(path)),
        '.epub': tolerant((path) => new EPubLoader(path)),
        '.txt': tolerant((path) => new TextLoader(path)),
        '.md': tolerant((path) => new TextLoader(path)),
        '.html': tolerant((path) => new HtmlLoader(path)),
        '.htm': tolerant((path) => new HtmlLoader(path))
      },
      true,
      UnknownHandling.Ignore
    )
    const docs = (await loader.load()).map((doc) => new Document({ pageContent: doc.pageContent, metadata: { source: String(doc.metadata.source) } }))
    const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 })
    const splits = await splitter.splitDocuments(docs)
    loadSplitSeconds = (performance.now() - started) / 1000
    const embeddings = new OllamaEmbeddings({ model: 'nomic-embed-text', baseUrl: ollamaUrl })
    const storeArgs = { uri: db, tableName: 'vectors' }
    if (mode === 'docs') {
      await LanceDB.fromDocuments(splits, embeddings, storeArgs)
    } else {
      const store = new LanceDB(embeddings, storeArgs)
      for (let i = 0; i < splits.length; i += BATCH) await store.addDocuments(splits.slice(i, i + BATCH))
    }
    chunks = splits.length
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)
  }
  const seconds = (performance.now() - started) / 1000
  loop.disable()
  const result: LangchainImportResult = {
    mode,
    files_loaded: loaded,
    files_failed: failed,
    chunks,
    seconds,
    load_split_seconds: loadSplitSeconds,
    event_loop_p99_ms: loop.percentile(99) / 1e6,
    event_loop_max_ms: loop.max / 1e6,
    error
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
// LanceDB's native threads can keep the process alive after the work is done.
process.exit(0)
