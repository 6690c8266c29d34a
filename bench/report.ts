/** BENCHMARKS.md from one run's figures: tables, the targets of issue 5 met or missed, and how it was measured. */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TYPING_MS } from './answers'
import type { ImportFigures, PipelineName } from './import'
import type { HostShare } from './lib/host-probe'
import { round } from './lib/stats'
import type { StepFigures } from './retrieval/steps'
import type { BenchResult } from './run'

const NOTES = fileURLToPath(new URL('./notes.md', import.meta.url))

const PIPELINES: Array<[PipelineName, string]> = [
  ['documind-ollama', 'DocuMind, Ollama embeddings'],
  ['documind-builtin', 'DocuMind, built-in embedder'],
  ['langchain-docs', 'LangChain.js as in its docs'],
  ['langchain-batched', 'LangChain.js hand-tuned (batches of 512)']
]

const n = (value: number | null | undefined, unit = ''): string => (value === null || value === undefined || !Number.isFinite(value) ? '–' : `${round(value)}${unit}`)

const hostCell = (host: HostShare | null): string => (host ? `${n(host.busy_pct)} / ${n(host.steal_pct)}` : '–')

function importTable(figures: Record<PipelineName, ImportFigures>): string {
  const rows = PIPELINES.map(([key, label]) => {
    const f = figures[key]
    return `| ${label} | ${n(f.mb_s)} | ${f.chunks} | ${n(f.chunks_s)} | ${n(f.seconds)} | ${n(f.until_indexed_seconds)} | ${n(f.index_seconds)} | ${f.files_failed} | ${n(f.event_loop_p99_ms)} | ${n(f.event_loop_max_ms)} | ${n(f.peak_rss_mb)} | ${n(f.server_cpu_s)} | ${hostCell(f.host)} |${f.error ? ` ${f.error}` : ''}`
  })
  return [
    '| pipeline | MB/s | chunks | chunks/s | searchable after s | done after s | index build s | files failed | loop p99 ms | loop max ms | peak RSS MB | embedding server CPU s | cores busy / stolen % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'MB/s and chunks/s are over the time until every document could be searched. DocuMind then builds its vector index (its vector leg searches exhaustively until it exists); "done after" includes it, and "index build" is the time from the last document written to done (the full-text index, then the vector index). LangChain.js builds no index: its two times are the same. "Cores busy / stolen": over the run, how much of the time the machine\'s cores spent running anything (the pipeline, its embedding server or anything else), and how much of it the hypervisor gave to other guests while this machine had work to run (steal, from /proc/stat): a run with more stolen was slowed by the host, not by its own work.'
  ].join('\n')
}

function retrievalTable(result: BenchResult): string {
  const rows = Object.entries(result.retrieval).flatMap(([label, f]) =>
    f ? [`| ${label} | ${f.rows} (${f.grow.real_rows} real) | ${n(f.p50_ms)} | ${n(f.p95_ms)} | ${n(f.p99_ms)} | ${n(f.pasted.p50_ms)} / ${n(f.pasted.p95_ms)} | ${n(f.recall_at_10)} | ${n(f.exact_ms)} | ${f.indexes.join(', ')} |`] : []
  )
  const lc = result.langchain_search
  if (lc) rows.push(`| LangChain.js similaritySearch (k = 8), its table | ${lc.rows} | ${n(lc.p50_ms)} | ${n(lc.p95_ms)} | ${n(lc.p99_ms)} | – | – | – | none |`)
  return [
    '| size | chunks | p50 ms | p95 ms | p99 ms | pasted paragraphs p50 / p95 ms | vector recall@10 | exact search ms | indexes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows
  ].join('\n')
}

function stepsTable(result: BenchResult): string {
  const rows = Object.entries(result.retrieval).flatMap(([label, f]) => {
    if (!f?.steps) return []
    const row = (which: string, s: StepFigures) =>
      `| ${label}, ${which} | ${s.searches} | ${s.cjk} | ${s.with_gc} | ${s.keyword_last} | ${n(s.settings_ms)} | ${n(s.embedding_ms)} | ${n(s.keyword_ms)} | ${n(s.vector_ms)} | ${n(s.winners_ms)} |`
    return [row('all', f.steps.all), row('slowest 5%', f.steps.slowest)]
  })
  const kinds = Object.entries(result.retrieval).flatMap(([label, f]) =>
    f?.steps ? [`${label}: ${f.steps.cjk.queries} questions with CJK text, p50/p95 ${n(f.steps.cjk.p50_ms)}/${n(f.steps.cjk.p95_ms)} ms; the other ${f.steps.other.queries}, ${n(f.steps.other.p50_ms)}/${n(f.steps.other.p95_ms)} ms. The host probe (a fixed workload, see bench/lib/host-probe.ts) took ${n(f.host_probe_ms.before)} ms before the searches and ${n(f.host_probe_ms.after)} ms after.${f.host ? ` During the searches the cores were ${n(f.host.busy_pct)}% busy, and the hypervisor took ${n(f.host.steal_pct)}% of their time for other guests (steal).` : ''}`] : []
  )
  if (!rows.length) return ''
  return [
    "Where the timed searches' time went: the median time, after a search began, at which each step ended. The two legs run at once (the vector leg once the question's embedding is back), and the winners' passages are read once both are back, so the later leg holds the search up. \"Held a GC\": the thread's garbage collector ran during the search.",
    '',
    '| searches | count | with CJK text | held a GC | keyword leg last | settings read ms | embedding back ms | keyword leg back ms | vector leg back ms | winners read ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    ...kinds.map((line) => `- ${line}`)
  ].join('\n')
}

function laterTable(result: BenchResult): string {
  const rows = Object.entries(result.later_imports).flatMap(([label, later]) =>
    later.imports.map((i) => `| ${label} (${later.rows}) | ${i.file} | ${i.chunks} | ${n(i.searchable_seconds)} | ${n(i.seconds)} | ${n(i.index_seconds)} | ${n(i.peak_rss_mb)} |`)
  )
  return [
    'Files added one at a time to the library of each size (chunks before the first in brackets), each by `documind ingest FILE --json`, after its searches were measured.',
    '',
    '| library | file | chunks | searchable after s | done after s | of which indexes s | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows
  ].join('\n')
}

interface Target {
  what: string
  measured: string
  met: boolean | null
}

function targets(result: BenchResult): Target[] {
  const out: Target[] = []
  const im = result.import
  if (im) {
    const dm = im['documind-ollama']
    const ratio = dm.mb_s / im['langchain-docs'].mb_s
    const untilIndexed = dm.mb_s_until_indexed / im['langchain-docs'].mb_s
    out.push({
      what: 'Import ≥ 2× LangChain.js (as in its docs), same embedder, until every document is searchable',
      measured: `${n(ratio)}× (${n(dm.mb_s)} vs ${n(im['langchain-docs'].mb_s)} MB/s); ${n(untilIndexed)}× until DocuMind's vector index is built too`,
      met: ratio >= 2
    })
    out.push({ what: 'Import faster than LangChain.js hand-tuned', measured: `${n(dm.mb_s / im['langchain-batched'].mb_s)}×`, met: dm.mb_s > im['langchain-batched'].mb_s })
    out.push({ what: 'Main-thread event-loop delay p99 ≤ 15 ms during import', measured: `${n(dm.event_loop_p99_ms)} ms`, met: dm.event_loop_p99_ms <= 15 })
    out.push({ what: 'Main-thread event-loop delay max ≤ 100 ms during import', measured: `${n(dm.event_loop_max_ms)} ms`, met: dm.event_loop_max_ms <= 100 })
    out.push({ what: 'Peak RSS ≤ 1.5 GB during import', measured: `${n(dm.peak_rss_mb)} MB`, met: dm.peak_rss_mb <= 1500 })
  }
  const r100k = result.retrieval['100k']
  const r1m = result.retrieval['1m']
  if (r100k) out.push({ what: 'Retrieval p95 ≤ 25 ms at 100k chunks', measured: `${n(r100k.p95_ms)} ms`, met: r100k.p95_ms <= 25 })
  if (r1m) out.push({ what: 'Retrieval p95 ≤ 100 ms at 1M chunks', measured: `${n(r1m.p95_ms)} ms`, met: r1m.p95_ms <= 100 })
  for (const [label, f] of Object.entries(result.retrieval)) {
    if (f) out.push({ what: `Vector recall@10 ≥ 0.95 against exact search, ${label}`, measured: n(f.recall_at_10), met: f.recall_at_10 >= 0.95 })
  }
  if (result.answers) {
    const at = result.answers.rows >= 100_000 ? '' : ` (measured at ${result.answers.rows} chunks, not 100k)`
    out.push({ what: `Time-to-first-token overhead p95 ≤ 50 ms at 100k chunks${at}`, measured: `${n(result.answers.ttft_overhead_ms.p95)} ms`, met: at ? null : result.answers.ttft_overhead_ms.p95 <= 50 })
    out.push({ what: `Cold start ≤ 2 s at 100k chunks${at}`, measured: `${n(result.answers.cold_start_s)} s`, met: at ? null : result.answers.cold_start_s <= 2 })
  }
  return out
}

export function renderReport(result: BenchResult): string {
  const m = result.machine
  const notes = existsSync(NOTES) ? readFileSync(NOTES, 'utf8').trim() : ''
  const lines = [
    '# DocuMind benchmarks',
    '',
    `Written by \`npm run bench${result.quick ? ' -- --quick' : ''}\` on ${result.date.slice(0, 10)} (${result.date}). Rerun it to replace this file; the figures below are from that one run.`,
    '',
    '## Machine',
    '',
    `- ${m.cores} cores (${m.cpu}), ${m.ram_gb} GB RAM, Node ${m.node}, ${m.os}`,
    `- Load average (1 min) ${m.load_before[0]} at the start and ${m.load_after[0] ?? '–'} at the end: this machine is shared, so absolute figures move from run to run; the ratios come from pipelines run one after the other in the same run.`,
    `- Corpus: ${result.corpus.files} files, ${n(result.corpus.mb)} MB (${result.corpus.dir})${m.corpus_packages.length ? `, from ${m.corpus_packages.join(', ')}` : ''}`,
    `- Packages: ${Object.entries(m.packages).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    '',
    '## Targets (issue 5)',
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...targets(result).map((t) => `| ${t.what} | ${t.measured} | ${t.met === null ? 'not measured at that size' : t.met ? 'met' : '**missed**'} |`),
    ''
  ]
  if (result.import) lines.push('## Import', '', importTable(result.import), '')
  if (Object.keys(result.retrieval).length || result.langchain_search) lines.push('## Retrieval (hybrid search, k = 8)', '', retrievalTable(result), '')
  const steps = stepsTable(result)
  if (steps) lines.push(steps, '')
  if (result.answers) {
    const a = result.answers
    lines.push(
      '## Answers',
      '',
      `At ${a.rows} chunks. Time to first token through \`documind serve\`, minus the model server's own first-token delay: p50 ${n(a.ttft_overhead_ms.p50)} ms, p95 ${n(a.ttft_overhead_ms.p95)} ms over ${a.ttft_overhead_ms.questions} questions. The first question took ${n(a.ttft_overhead_ms.first)} ms when asked at once after launch, while the query thread started and loaded the library, and ${n(a.first_after_typing_ms)} ms when asked ${TYPING_MS / 1000} s after another launch, as a user typing it would.`,
      '',
      `Cold start (\`documind ask\` from launch to its first token, minus the same delay): ${a.cold_start_runs_s.map((s) => `${n(s)} s`).join(', ')}; median ${n(a.cold_start_s)} s.`,
      ''
    )
  }
  if (Object.keys(result.later_imports).length) lines.push('## Later imports', '', laterTable(result), '')
  if (notes) lines.push(notes, '')
  lines.push(METHOD)
  return lines.join('\n') + '\n'
}

const METHOD = `## How it is measured

- **One embedding server for all.** Every pipeline embeds through the same fake Ollama server
  (tests/support/fake-ollama.ts: the real HTTP API, \`nomic-embed-text\`, 768-d vectors, zero model
  time), running in a process of its own so that its work lands in no pipeline's figures.
- **Import.** Each pipeline runs in a child process, one after the other on the same corpus:
  DocuMind through its built CLI (\`documind ingest --json\`, the bundled Piscina workers), and the
  LangChain.js reference (bench/langchain-import.ts: DirectoryLoader with the PDF, DOCX, EPUB, text
  and HTML loaders, RecursiveCharacterTextSplitter 1000/200, OllamaEmbeddings, the
  @langchain/community LanceDB store, a try/catch per file and only \`source\` as metadata).
  MB/s is the corpus's bytes (every file in it) over the pipeline's own import time, until every
  document it wrote can be searched: for DocuMind, the CLI's \`searchable_seconds\` (its full-text
  index built; the vector index follows, and the JSON line's \`ratio_until_indexed\` counts it);
  for LangChain, from loading to its last write. Peak RSS is
  the highest resident memory of the child's whole process tree, sampled every 100 ms from /proc.
  Event-loop delay is \`monitorEventLoopDelay({ resolution: 1 })\` on each pipeline's main thread
  during its import, the same settings for both (DocuMind's CLI uses 1 ms; at the default 10 ms
  every sample would carry up to 10 ms of timer granularity that is not delay).
- **Retrieval.** One library grows through DocuMind's own writer (so its indexes are those the
  product builds, with the settings it ships): the corpus's real chunks from DocuMind's import,
  then synthetic chunks (the first half of one real chunk's words and the second half of
  another's, embedded by the same server). Latency is the engine's hybrid search (query
  embedding, BM25 and vector legs, fusion, visibility of documents), one query at a time, after 10
  warm-up queries. Recall@10 is the vector leg as shipped against exact search; a neighbour
  counts when it is as near as the 10th exact one (the corpus repeats passages). Queries are
  windows of 4–12 words from chunks of the library, drawn by a seeded generator; in Chinese and
  Japanese, which put no spaces between words, the words are those \`Intl.Segmenter\` finds
  (until fcb2a44 a run between spaces counted as one word, so those questions were whole
  paragraphs). "Pasted paragraphs" are 60 windows of 40–80 words (all of a
  chunk that has fewer), timed apart with no target.
- **Later imports.** At each size, once its searches and answers are measured, three short
  notes (two passages of the library each) and then two long documents (160 passages each, more
  rows than an import leaves outside the indexes, so that each import folds them all in) are
  written from the library's own text and imported one at a time through the built CLI
  (\`documind ingest FILE --json\`), each in a child process measured like the first import.
- **Answers.** Time to first token runs from the WebSocket client sending \`chat.ask\` to \`documind
  serve\` to the first \`token\` event arriving, minus the fake server's first-token delay (50 ms).
  Cold start runs from launching \`documind ask\` to the first token on its standard output, minus
  the same delay.
- **The host.** These machines are shared. Around each size's searches a fixed workload (an
  FNV-1a hash of 8 MB nine times, in a thread of its own: bench/lib/host-probe.ts) is timed, and
  over each import and each size's timed searches /proc/stat gives how busy the machine's cores
  were and how much of their time the hypervisor took for other guests while this one had work
  to run (steal): a figure that moved while these did not moved for its own reasons.
`
