/**
 * The LangChain.js reference's search, for comparison with DocuMind's: `similaritySearch` (k = 8)
 * of the @langchain/community LanceDB store over the table its import wrote, with OllamaEmbeddings
 * against the same fake server, on the same kind of queries as bench/retrieval/measure.ts.
 *
 * Usage: tsx bench/langchain-search.ts LANCEDB_DIR OLLAMA_URL QUERIES
 * Prints one JSON line: { rows, p50_ms, p95_ms, p99_ms, queries }.
 */
import { performance } from 'node:perf_hooks'
import { LanceDB } from '@langchain/community/vectorstores/lancedb'
import { OllamaEmbeddings } from '@langchain/ollama'
import { connect } from '@lancedb/lancedb'
import { percentile, seededRandom } from './lib/stats'

const WARM_UP = 10

async function main(): Promise<void> {
  const [dir, ollamaUrl, count] = process.argv.slice(2)
  const table = await (await connect(dir)).openTable('vectors')
  const rows = await table.countRows()
  const texts = await table.query().select(['text']).limit(50_000).toArray()
  const random = seededRandom(7)
  const queries: string[] = []
  while (queries.length < Number(count) + WARM_UP) {
    const words = String(texts[Math.floor(random() * texts.length)].text).split(/\s+/).filter(Boolean)
    if (words.length < 4) continue
    const length = 4 + Math.floor(random() * 9)
    const start = Math.floor(random() * Math.max(1, words.length - length))
    queries.push(words.slice(start, start + length).join(' '))
  }
  const store = new LanceDB(new OllamaEmbeddings({ model: 'nomic-embed-text', baseUrl: ollamaUrl }), { table })
  const latencies: number[] = []
  for (const [i, query] of queries.entries()) {
    const started = performance.now()
    await store.similaritySearch(query, 8)
    if (i >= WARM_UP) latencies.push(performance.now() - started)
  }
  process.stdout.write(JSON.stringify({ rows, p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), p99_ms: percentile(latencies, 99), queries: latencies.length }) + '\n')
}

await main()
process.exit(0)
