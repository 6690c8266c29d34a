/**
 * Retrieval figures on one library, as the engine searches it: hybrid search latency (the query
 * embedded by the library's embedder, BM25 and vector legs, fusion, visibility filter) and the
 * recall@10 of the vector leg, as shipped, against exact (brute-force) search.
 *
 * Queries are windows of 4 to 12 words from chunks of the library itself, chosen by a seeded
 * generator: the same queries every run, and never tuned to anything. Paragraphs pasted as
 * questions (40 to 80 words, a keyword query of many terms) are timed apart, with no target.
 *
 * Usage: tsx bench/retrieval/measure.ts LIBRARY OLLAMA_URL LATENCY_QUERIES RECALL_QUERIES
 * Prints one JSON line (RetrievalFigures).
 */
import { performance } from 'node:perf_hooks'
import { choiceForSpec, createEmbedder } from '../../src/core/embed/choice'
import { candidatesFor, hybridSearch, nearestChunks } from '../../src/core/retrieval/hybrid'
import { LibraryReader } from '../../src/core/store/reader'
import { hostProbe, watchHost, type HostShare } from '../lib/host-probe'
import { PASTED_WORDS, queriesFrom } from '../lib/queries'
import { cosineDistance, latencySummary, percentile, type LatencySummary } from '../lib/stats'
import { breakdown, watchCollections, type SearchBreakdown, type TimedSearch } from './steps'

export interface RetrievalFigures {
  rows: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
  recall_at_10: number
  queries: number
  recall_queries: number
  /** Mean time of one exact vector search, for scale. */
  exact_ms: number
  indexes: string[]
  /** Where the timed searches spent their time (see steps.ts). */
  steps: SearchBreakdown
  /** Searches for paragraphs pasted as questions. */
  pasted: LatencySummary
  /** The host's speed just before and after the timed searches (see host-probe.ts). */
  host_probe_ms: { before: number; after: number }
  /** What the machine's cores did during the timed searches (see host-probe.ts). */
  host: HostShare | null
}

const WARM_UP = 10
const K = 8
const PASTED = 60

async function main(): Promise<void> {
  const [libraryDir, ollamaUrl, latencyArg, recallArg] = process.argv.slice(2)
  const reader = await LibraryReader.open(libraryDir)
  const meta = await reader.meta()
  if (!meta.embedder) throw new Error(`${libraryDir} is empty`)
  const embedder = await createEmbedder(choiceForSpec(meta.embedder, ollamaUrl))
  const table = (await reader.chunks())!
  const rows = await table.countRows()
  const latencyQueries = await queriesFrom(reader, Number(latencyArg) + WARM_UP, 7)
  const recallQueries = await queriesFrom(reader, Number(recallArg), 11)
  const pastedQueries = await queriesFrom(reader, PASTED, 13, PASTED_WORDS)

  const probeBefore = await hostProbe()
  const searches: TimedSearch[] = []
  const collections = watchCollections()
  let host: (() => HostShare | null) | undefined
  for (const [i, query] of latencyQueries.entries()) {
    if (i === WARM_UP) host = watchHost()
    const steps = {}
    const started = performance.now()
    await hybridSearch(reader, embedder, query, { k: K, steps })
    if (i >= WARM_UP) searches.push({ query, started, ms: performance.now() - started, steps })
  }
  const hostDuring = host?.() ?? null
  collections.stop()
  const latencies = searches.map((search) => search.ms)
  const pasted: number[] = []
  for (const query of pastedQueries) {
    const started = performance.now()
    await hybridSearch(reader, embedder, query, { k: K })
    pasted.push(performance.now() - started)
  }
  const probeAfter = await hostProbe()

  let found = 0
  let exactMs = 0
  for (const query of recallQueries) {
    const vector = await embedder.embedQuery(query)
    // The leg fetches its candidates for a search of K hits; its ten nearest are compared.
    const shipped = ((await nearestChunks(table, vector, candidatesFor(K), meta.vectorIndex).select(['id', 'vector', '_distance']).toArray()) as Array<{ id: string; vector: Iterable<number> }>).slice(0, 10)
    const started = performance.now()
    const exact = (await table.query().nearestTo(vector).distanceType('cosine').bypassVectorIndex().select(['id', '_distance']).limit(10).toArray()) as Array<{ id: string; _distance: number }>
    exactMs += performance.now() - started
    // A neighbour counts when it is as near as the 10th exact one: the corpus repeats passages
    // (one book in many folders), and which of several equally near copies comes back is no miss.
    const tenth = exact[exact.length - 1]?._distance ?? Infinity
    found += Math.min(10, shipped.filter((row) => cosineDistance(vector, Float32Array.from(row.vector)) <= tenth + 1e-5).length)
  }
  const indexes = (await table.listIndices()).map((index) => `${index.indexType}(${index.columns.join(',')})`)
  reader.close()
  const result: RetrievalFigures = {
    rows,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    recall_at_10: found / (recallQueries.length * 10),
    queries: latencies.length,
    recall_queries: recallQueries.length,
    exact_ms: exactMs / recallQueries.length,
    indexes,
    steps: breakdown(searches, collections.overlaps),
    pasted: latencySummary(pasted),
    host_probe_ms: { before: probeBefore, after: probeAfter },
    host: hostDuring
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
process.exit(0)
