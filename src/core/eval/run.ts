import { performance } from 'node:perf_hooks'
import type { Embedder } from '../embed/embedder'
import { contentHash, documentId, prepareDocument } from '../ingest/prepare'
import { hybridSearch } from '../retrieval/hybrid'
import { LibraryReader } from '../store/reader'
import { concatChunkColumns, type ChunkColumns, type DocumentRecord } from '../store/schema'
import { LibraryWriter } from '../store/writer'
import { normalizeText } from '../text/normalize'
import { readBeirCorpus, readBeirDataset } from './beir'
import { mean, mrrAt, ndcgAt, recallAt } from './metrics'

export interface EvalResult {
  dataset: string
  queries: number
  ndcg_at_10: number
  recall_at_100: number
  mrr_at_10: number
  ms_per_query: number
  documents: number
  chunks: number
  index_seconds: number
}

export interface EvalOptions {
  dir: string
  split: string
  libraryDir: string
  embedder: Embedder
  /** Called now and then while indexing and querying. */
  onProgress?: (phase: 'index' | 'query', done: number, total: number) => void
}

const BATCH_DOCUMENTS = 500

/**
 * Evaluates retrieval on a BEIR-format dataset with the product's own code: each corpus document is
 * prepared (chunked, analysed, embedded) and committed by the library writer exactly like an
 * imported file, and each query goes through `hybridSearch`. A document's rank is that of its best
 * chunk (MaxP).
 */
export async function runBeirEval(options: EvalOptions): Promise<EvalResult> {
  const dataset = await readBeirDataset(options.dir, options.split)
  const started = performance.now()
  const writer = await LibraryWriter.open(options.libraryDir, options.embedder.spec)
  const beirIdOf = new Map<string, string>()
  let documents = 0
  let chunks = 0
  try {
    let docs: DocumentRecord[] = []
    let parts: ChunkColumns[] = []
    const flush = async (): Promise<void> => {
      await writer.commit(docs, concatChunkColumns(parts))
      docs = []
      parts = []
    }
    for await (const item of readBeirCorpus(options.dir)) {
      const path = `beir://${dataset.name}/${item.id}`
      const docId = documentId(path)
      beirIdOf.set(docId, item.id)
      const hash = contentHash(new TextEncoder().encode(item.title + '\n' + item.text))
      const prepared = await prepareDocument(
        { format: 'text', title: item.title || undefined, sections: [{ text: normalizeText(item.text), headings: [] }], warnings: [] },
        { docId, hash, name: item.id },
        options.embedder
      )
      const now = Date.now()
      docs.push({
        id: docId, path, name: item.id, title: item.title || null, format: 'text', size: item.text.length, mtime: 0, hash,
        status: 'ready', error: null, error_code: null, warnings: '[]', chunk_count: prepared.chunks.id.length, pages: null,
        created_at: now, updated_at: now
      })
      parts.push(prepared.chunks)
      documents++
      chunks += prepared.chunks.id.length
      if (docs.length >= BATCH_DOCUMENTS) {
        await flush()
        options.onProgress?.('index', documents, 0)
      }
    }
    if (docs.length) await flush()
  } finally {
    await writer.close()
  }
  const indexSeconds = (performance.now() - started) / 1000

  const reader = await LibraryReader.open(options.libraryDir)
  const ndcg: number[] = []
  const recall: number[] = []
  const mrr: number[] = []
  const queryStarted = performance.now()
  let done = 0
  try {
    for (const [queryId, text] of dataset.queries) {
      const { hits } = await hybridSearch(reader, options.embedder, text, { k: 300, candidates: 300 })
      const ranked: string[] = []
      const seen = new Set<string>()
      for (const hit of hits) {
        if (seen.has(hit.docId)) continue
        seen.add(hit.docId)
        ranked.push(beirIdOf.get(hit.docId) ?? hit.docId)
      }
      const judged = dataset.qrels.get(queryId)!
      ndcg.push(ndcgAt(10, ranked, judged))
      recall.push(recallAt(100, ranked, judged))
      mrr.push(mrrAt(10, ranked, judged))
      if (++done % 200 === 0) options.onProgress?.('query', done, dataset.queries.size)
    }
  } finally {
    reader.close()
  }
  const round = (x: number): number => Math.round(x * 10000) / 10000
  return {
    dataset: dataset.name,
    queries: dataset.queries.size,
    ndcg_at_10: round(mean(ndcg)),
    recall_at_100: round(mean(recall)),
    mrr_at_10: round(mean(mrr)),
    ms_per_query: round((performance.now() - queryStarted) / Math.max(1, dataset.queries.size)),
    documents,
    chunks,
    index_seconds: round(indexSeconds)
  }
}
