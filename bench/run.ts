/**
 * `npm run bench`: DocuMind against the LangChain.js reference on one corpus and one embedding
 * server, in one process tree and one run (issue 5). Prints one JSON line of figures and ratios
 * and rewrites BENCHMARKS.md. `--quick` runs on ../shared/data/corpus-mini in under two minutes
 * (retrieval at 10k chunks only) and writes its report to bench/.work/ instead.
 *
 * Options: --quick  --corpus DIR  --rounds N (import runs per pipeline, median kept)
 *          --phases import,retrieval,answers,later  --sizes 10k,100k,1m (answers are timed at
 *          the second, or the only, size; later imports at each)  --queries N  --questions N
 *          --report FILE  --keep
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runAnswers, type AnswerFigures } from './answers'
import { EMBED_MODEL, runImports, type ImportFigures, type PipelineName } from './import'
import { runLaterImports, type LaterImportFigures } from './later-imports'
import { startFakeServer } from './lib/fake-server'
import { describeHost, type HostShare } from './lib/host-probe'
import { loadNow, machineFacts, type MachineFacts } from './lib/machine'
import { lastJsonLine, runChild, tsNode } from './lib/process-tree'
import { round } from './lib/stats'
import { renderReport } from './report'
import type { GrowResult } from './retrieval/grow-library'
import type { RetrievalFigures } from './retrieval/measure'

const REPO = fileURLToPath(new URL('..', import.meta.url))
/** The shared data and scripts, which sit beside the checkout. */
const SHARED = resolve(REPO, '../shared')
/** "10k" -> 10000, "1m" -> 1000000. */
function chunksOf(label: string): number {
  const match = /^(\d+)(k|m)?$/i.exec(label)
  if (!match) throw new Error(`--sizes takes sizes like 10k,100k,1m, not "${label}"`)
  return Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2] ? 1000 : 1)
}
/** The fake server's first-token delay while answers are timed (taken out again from each figure). */
const FIRST_TOKEN_DELAY_MS = 50

export interface BenchResult {
  date: string
  quick: boolean
  machine: MachineFacts
  corpus: { dir: string; files: number; mb: number }
  import: Record<PipelineName, ImportFigures> | null
  retrieval: Record<string, (RetrievalFigures & { grow: GrowResult }) | null>
  langchain_search: { rows: number; p50_ms: number; p95_ms: number; p99_ms: number } | null
  answers: (AnswerFigures & { rows: number }) | null
  /** By size: a few files added to the library after retrieval and answers were measured at it. */
  later_imports: Record<string, LaterImportFigures>
}

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

async function corpusSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0
  let bytes = 0
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    files++
    bytes += (await stat(join(entry.parentPath, entry.name))).size
  }
  return { files, bytes }
}

/** What the run needs before it starts, said in one line instead of a stack trace. */
class SetupError extends Error {}

/**
 * The full run builds its corpus when it is missing; `--quick` never does (corpus-mini is data
 * shipped beside the checkout), so a missing quick corpus is named rather than built.
 */
async function ensureCorpus(dir: string, quick: boolean): Promise<void> {
  if (existsSync(dir)) return
  if (quick) throw new SetupError(`the corpus ${dir} is not there: --quick reads corpus-mini from ${SHARED}/data, which must sit beside this checkout (or pass --corpus DIR)`)
  const script = join(SHARED, 'scripts/get-bench-corpus.sh')
  if (!existsSync(script)) throw new SetupError(`the corpus ${dir} is not there, and neither is ${script}, which builds it: pass --corpus DIR, or keep this checkout beside the shared folder`)
  log(`building the benchmark corpus in ${dir} (Debian documentation packages; needs apt-get update once)`)
  // Built beside and renamed when whole: a build that failed or was stopped leaves no half corpus
  // that the next run would take for the real one.
  const partial = `${dir}.partial`
  await rm(partial, { recursive: true, force: true })
  let output: string
  try {
    output = execFileSync(script, [partial], { encoding: 'utf8' })
  } catch (error) {
    await rm(partial, { recursive: true, force: true })
    const status = (error as { status?: number | null }).status
    throw new SetupError(`${script} could not build the corpus (exit code ${status ?? 'none'}; its error is above): it downloads Debian packages with apt-get, so on a new machine run \`apt-get update\` once first`)
  }
  await rename(partial, dir)
  await writeFile(`${dir}.packages.txt`, output)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      corpus: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      phases: { type: 'string', default: 'import,retrieval,answers,later' },
      sizes: { type: 'string' },
      report: { type: 'string' },
      keep: { type: 'boolean', default: false },
      work: { type: 'string' },
      queries: { type: 'string' },
      questions: { type: 'string' }
    }
  })
  const quick = values.quick
  const phases = new Set(values.phases.split(','))
  const sizes = (values.sizes ?? (quick ? '10k' : '10k,100k,1m')).split(',')
  const answersAt = sizes[Math.min(1, sizes.length - 1)]
  const corpus = resolve(values.corpus ?? (quick ? join(SHARED, 'data/corpus-mini') : join(REPO, 'bench/.corpus')))
  const workDir = resolve(values.work ?? join(REPO, 'bench/.work', quick ? 'quick' : 'full'))
  const reportPath = values.report ?? (quick ? join(REPO, 'bench/.work/BENCHMARKS.quick.md') : join(REPO, 'BENCHMARKS.md'))
  if (!existsSync(join(REPO, 'out/main/cli.js'))) throw new SetupError('the app is not built: run `npm run build` first (npm run bench does)')

  await ensureCorpus(corpus, quick)
  const size = await corpusSize(corpus)
  await rm(workDir, { recursive: true, force: true })
  await mkdir(workDir, { recursive: true })
  const machine = await machineFacts(REPO, corpus)
  log(`corpus ${corpus}: ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB; ${machine.cores} cores, load ${machine.load_before.join(' ')}`)

  const fake = await startFakeServer(0)
  const answering = await startFakeServer(FIRST_TOKEN_DELAY_MS)
  const result: BenchResult = {
    date: new Date().toISOString(), quick, machine, corpus: { dir: corpus, files: size.files, mb: size.bytes / 1e6 },
    import: null, retrieval: {}, langchain_search: null, answers: null, later_imports: {}
  }
  try {
    if (phases.has('import')) {
      result.import = await runImports({ corpus, corpusBytes: size.bytes, workDir, rounds: Number(values.rounds), log })
      const lcLibrary = result.import['langchain-batched'].library
      if (!result.import['langchain-batched'].error && existsSync(lcLibrary)) {
        log('retrieval: LangChain similaritySearch (k = 8) on its own table')
        const [command, args] = tsNode(join(REPO, 'bench/langchain-search.ts'), [lcLibrary, fake.url, quick ? '50' : '200'])
        result.langchain_search = lastJsonLine(await runChild(command, args), 'langchain-search')
      }
    }
    const source = result.import?.['documind-ollama'].library
    if ((phases.has('retrieval') || phases.has('answers') || phases.has('later')) && source) {
      const growing = join(workDir, 'library-growing')
      for (const label of sizes) {
        log(`retrieval: growing the library to ${label} chunks`)
        const [growCommand, growArgs] = tsNode(join(REPO, 'bench/retrieval/grow-library.ts'), [source, growing, String(chunksOf(label)), fake.url])
        const grow = lastJsonLine<GrowResult>(await runChild(growCommand, growArgs), 'grow-library')
        log(`  ${grow.rows} rows (${grow.real_rows} real) in ${grow.seconds.toFixed(0)} s; indexes ${grow.indexes.join(', ')}`)
        if (phases.has('retrieval')) {
          const latency = values.queries ?? (quick ? '100' : '300')
          const recall = String(Math.min(Number(latency), chunksOf(label) >= 1_000_000 ? 50 : 100))
          const [command, args] = tsNode(join(REPO, 'bench/retrieval/measure.ts'), [growing, fake.url, latency, recall])
          const figures = lastJsonLine<RetrievalFigures>(await runChild(command, args), 'measure')
          result.retrieval[label] = { ...figures, grow }
          const host = figures.host ? `; ${describeHost(figures.host)}` : ''
          log(`  hybrid search p50 ${figures.p50_ms.toFixed(1)} p95 ${figures.p95_ms.toFixed(1)} p99 ${figures.p99_ms.toFixed(1)} ms; vector recall@10 ${figures.recall_at_10.toFixed(3)}${host}`)
        }
        if (phases.has('answers') && label === answersAt) {
          const answers = await runAnswers({ libraryDir: growing, ollamaUrl: answering.url, delayMs: FIRST_TOKEN_DELAY_MS, questions: Number(values.questions ?? (quick ? 10 : 30)), coldRuns: values.questions ? 1 : 3, log })
          result.answers = { ...answers, rows: grow.rows }
        }
        if (phases.has('later')) {
          // Last at each size: the few rows these imports add are a rounding error for the next size's growth.
          const later = await runLaterImports({ libraryDir: growing, workDir: join(workDir, `later-${label}`), ollamaUrl: fake.url, embedModel: EMBED_MODEL })
          result.later_imports[label] = later
          log(`  later imports: ${later.imports.map((i) => `${i.file} ${i.chunks} chunks ${i.seconds.toFixed(1)} s, ${i.peak_rss_mb.toFixed(0)} MB`).join('; ')}`)
        }
      }
    }
  } finally {
    await fake.close()
    await answering.close()
    if (!values.keep) await rm(workDir, { recursive: true, force: true })
  }
  result.machine.load_after = loadNow()
  process.stdout.write(JSON.stringify(summaryLine(result)) + '\n')
  await writeFile(reportPath, renderReport(result))
  log(`report written to ${reportPath}`)
}

const stealOf = (host: HostShare | null): number | null => (host ? round(host.steal_pct) : null)

/** The one JSON line: the fields issue 5 names (a contract for scripts), then more. */
export function summaryLine(result: BenchResult): object {
  const dm = result.import?.['documind-ollama']
  const lc = result.import?.['langchain-docs']
  const tuned = result.import?.['langchain-batched']
  const retrieval = (label: string): object | null => {
    const figures = result.retrieval[label]
    if (!figures) return null
    const { cjk, other } = figures.steps
    return { p50_ms: round(figures.p50_ms), p95_ms: round(figures.p95_ms), p99_ms: round(figures.p99_ms), recall_at_10: round(figures.recall_at_10), rows: figures.rows, cjk_p95_ms: round(cjk.p95_ms), other_p95_ms: round(other.p95_ms), pasted_p95_ms: round(figures.pasted.p95_ms), host_probe_ms: round((figures.host_probe_ms.before + figures.host_probe_ms.after) / 2), host_steal_pct: stealOf(figures.host) }
  }
  return {
    import: result.import && dm && lc && tuned
      ? {
          documind_mb_s: round(dm.mb_s),
          documind_builtin_mb_s: round(result.import['documind-builtin'].mb_s),
          langchain_mb_s: round(lc.mb_s),
          ratio: round(dm.mb_s / lc.mb_s),
          event_loop_p99_ms: round(dm.event_loop_p99_ms),
          event_loop_max_ms: round(dm.event_loop_max_ms),
          peak_rss_mb: round(dm.peak_rss_mb),
          langchain_batched_mb_s: round(tuned.mb_s),
          ratio_vs_batched: round(dm.mb_s / tuned.mb_s),
          documind_mb_s_until_indexed: round(dm.mb_s_until_indexed),
          ratio_until_indexed: round(dm.mb_s_until_indexed / lc.mb_s),
          documind_chunks_s: round(dm.chunks_s),
          documind_index_s: dm.index_seconds === null ? null : round(dm.index_seconds),
          langchain_chunks_s: round(lc.chunks_s),
          langchain_event_loop_p99_ms: round(lc.event_loop_p99_ms),
          langchain_event_loop_max_ms: round(lc.event_loop_max_ms),
          langchain_peak_rss_mb: round(lc.peak_rss_mb),
          langchain_batched_peak_rss_mb: round(tuned.peak_rss_mb),
          documind_host_steal_pct: stealOf(dm.host),
          langchain_host_steal_pct: stealOf(lc.host)
        }
      : null,
    retrieval: Object.fromEntries([...new Set(['10k', '100k', '1m', ...Object.keys(result.retrieval)])].map((label) => [label, retrieval(label)])),
    ttft_overhead_ms: result.answers ? { p50: round(result.answers.ttft_overhead_ms.p50), p95: round(result.answers.ttft_overhead_ms.p95) } : null,
    first_question_ms: result.answers ? { at_launch: round(result.answers.ttft_overhead_ms.first), after_typing: round(result.answers.first_after_typing_ms) } : null,
    cold_start_s: result.answers ? round(result.answers.cold_start_s) : null,
    answers_at_rows: result.answers?.rows ?? null,
    later_imports: Object.fromEntries(
      Object.entries(result.later_imports).map(([label, later]) => [
        label,
        { rows: later.rows, seconds: later.imports.map((i) => round(i.seconds)), chunks: later.imports.map((i) => i.chunks), peak_rss_mb: round(Math.max(...later.imports.map((i) => i.peak_rss_mb))) }
      ])
    ),
    langchain_search_ms: result.langchain_search ? { p50: round(result.langchain_search.p50_ms), p95: round(result.langchain_search.p95_ms), rows: result.langchain_search.rows } : null,
    quick: result.quick,
    corpus_mb: round(result.corpus.mb),
    cores: result.machine.cores,
    load_average: [result.machine.load_before[0], result.machine.load_after[0]],
    date: result.date
  }
}

try {
  await main()
} catch (error) {
  if (!(error instanceof SetupError)) throw error
  process.stderr.write(`npm run bench: ${error.message}\n`)
  process.exitCode = 1
}
