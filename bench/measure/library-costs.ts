/**
 * Measurements quoted in bench/notes.md that `npm run bench` does not repeat, on a library an
 * import (or the benchmark, with `--keep`) has made. Each prints one JSON line per step.
 *
 *   tsx bench/measure/library-costs.ts outside LIBRARY OLLAMA_URL [--writes 0,10,20,30] [--rows 1] [--questions 150]
 *     What rows outside the indexes cost a search. On a copy of LIBRARY, adds writes of ROWS rows
 *     each (copies of its first rows; each write is a file of its own, as a small import leaves
 *     it), up to each count in turn, and times hybrid search after each step. `--writes 0,1
 *     --rows 400` puts 400 rows in one file instead.
 *   tsx bench/measure/library-costs.ts indexes LIBRARY fts|vector|both|sequential
 *     Rebuilds the library's full-text index, vector index, both at once (as a first import builds
 *     them) or both one after the other, in place (use a copy), and prints the time and the
 *     process's peak RSS.
 *   tsx bench/measure/library-costs.ts documents LIBRARY [--rounds 3]
 *     Copies every document row out of LanceDB through `toArray()`'s row proxies and by column
 *     (`plainRows`), alternated.
 *
 * OLLAMA_URL is an Ollama-compatible server for the questions' embeddings: `tsx
 * bench/fake-server.ts 0` prints the URL of the benchmark's.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { choiceForSpec, createEmbedder } from '../../src/core/embed/choice'
import { hybridSearch } from '../../src/core/retrieval/hybrid'
import { plainRows } from '../../src/core/store/arrow'
import { CHUNKS_TABLE, DOCUMENTS_TABLE, connectLibrary, readMeta, writeMeta } from '../../src/core/store/library'
import { LibraryReader } from '../../src/core/store/reader'
import { maintainVectorIndex } from '../../src/core/store/vector-index'
import { buildFullTextIndex } from '../../src/core/store/fulltext-index'
import { queriesFrom } from '../lib/queries'
import { percentile, round } from '../lib/stats'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { writes: { type: 'string', default: '0,10,20,30' }, rows: { type: 'string', default: '1' }, questions: { type: 'string', default: '150' }, rounds: { type: 'string', default: '3' } }
})
const [mode, library, third] = positionals
const print = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n')
const peakRssMb = (): number => round(process.resourceUsage().maxRSS / 1024)

async function outside(source: string, ollamaUrl: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'documind-outside-'))
  try {
    await cp(source, dir, { recursive: true })
    const reader = await LibraryReader.open(dir)
    const meta = await reader.meta()
    const embedder = await createEmbedder(choiceForSpec(meta.embedder!, ollamaUrl))
    const table = (await reader.chunks())!
    const questions = await queriesFrom(reader, Number(values.questions), 7)
    const rows = await table.query().limit(Number(values.rows)).toArrow()
    const fts = (await table.listIndices()).find((index) => index.columns.includes('search_text'))
    let writes = 0
    for (const target of values.writes.split(',').map(Number)) {
      for (; writes < target; writes++) await table.add(rows)
      const latencies: number[] = []
      for (const question of questions) {
        const started = performance.now()
        await hybridSearch(reader, embedder, question, { k: 8 })
        latencies.push(performance.now() - started)
      }
      const unindexed = fts ? (await table.indexStats(fts.name))?.numUnindexedRows : undefined
      print({ writes, rows_per_write: rows.numRows, unindexed_rows: unindexed, questions: questions.length, p50_ms: round(percentile(latencies, 50)), p95_ms: round(percentile(latencies, 95)) })
    }
    reader.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function indexes(dir: string, which: string): Promise<void> {
  if (!['fts', 'vector', 'both', 'sequential'].includes(which)) throw new Error('indexes: say fts, vector, both or sequential')
  const db = await connectLibrary(dir)
  const table = await db.openTable(CHUNKS_TABLE)
  for (const index of await table.listIndices()) {
    const isFts = index.columns.includes('search_text')
    if ((which !== 'vector' && isFts) || (which !== 'fts' && !isFts)) await table.dropIndex(index.name)
  }
  const rows = await table.countRows()
  const before = peakRssMb()
  const started = performance.now()
  const fullText = () => buildFullTextIndex(table)
  const vector = async () => {
    const record = await maintainVectorIndex(table, rows, undefined)
    await writeMeta(dir, { ...(await readMeta(dir)), vectorIndex: record })
  }
  if (which === 'fts') await fullText()
  else if (which === 'vector') await vector()
  else if (which === 'sequential') {
    await fullText()
    await vector()
  } else await Promise.all([fullText(), vector()])
  print({ indexes: which, rows, seconds: round((performance.now() - started) / 1000), peak_rss_mb: peakRssMb(), peak_rss_before_mb: before })
}

async function documents(dir: string): Promise<void> {
  const db = await connectLibrary(dir)
  const table = await db.openTable(DOCUMENTS_TABLE)
  for (let round_ = 0; round_ < Number(values.rounds); round_++) {
    for (const how of round_ % 2 ? ['columns', 'proxies'] : ['proxies', 'columns']) {
      const started = performance.now()
      const query = table.query()
      const rows = how === 'proxies' ? (await query.toArray()).map((row) => ({ ...row })) : plainRows(await query.toArrow())
      print({ documents: rows.length, how, seconds: round((performance.now() - started) / 1000) })
    }
  }
}

if (mode === 'outside' && library && third) await outside(library, third)
else if (mode === 'indexes' && library && third) await indexes(library, third)
else if (mode === 'documents' && library) await documents(library)
else {
  process.stderr.write('usage: tsx bench/measure/library-costs.ts outside LIBRARY OLLAMA_URL | indexes LIBRARY fts|vector|both|sequential | documents LIBRARY (see the file)\n')
  process.exitCode = 2
}
process.exit()
