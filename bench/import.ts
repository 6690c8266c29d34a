/**
 * Import figures: DocuMind (the built CLI, `documind ingest`, with its bundled workers) with Ollama
 * embeddings and with its built-in embedder, and the LangChain.js reference as written in its docs
 * and hand-tuned, each in a child process of its own, one after the other, on the same corpus and
 * the same embedding server. Memory is sampled from outside (the child's process tree); event-loop
 * delay is measured inside each pipeline with the same settings (see langchain-import.ts).
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LangchainImportResult, LangchainMode } from './langchain-import'
import { startFakeServer } from './lib/fake-server'
import { describeHost, watchHost, type HostShare } from './lib/host-probe'
import { lastJsonLine, runChild, tsNode } from './lib/process-tree'

export type PipelineName = 'documind-ollama' | 'documind-builtin' | 'langchain-docs' | 'langchain-batched'

export interface ImportFigures {
  pipeline: PipelineName
  /**
   * The pipeline's own timing of its import, until every document it wrote can be searched
   * (DocuMind: the CLI's, to the end of its full-text index; LangChain: load to last write). MB/s
   * is the corpus over this.
   */
  seconds: number
  /**
   * Until the pipeline was done with the library: DocuMind builds its vector index after its
   * documents are searchable (its vector leg searches exhaustively meanwhile); LangChain builds
   * none, so its figure is `seconds`.
   */
  until_indexed_seconds: number
  /** The corpus over `until_indexed_seconds`. */
  mb_s_until_indexed: number
  /**
   * Of `until_indexed_seconds`, the time DocuMind's writer spent at the end building its search
   * indexes (full-text, then the vector index from 5,000 chunks on); null for LangChain, which
   * builds none.
   */
  index_seconds: number | null
  /** Spawn to exit of the child, start-up and shutdown included. */
  wall_seconds: number
  mb_s: number
  chunks: number
  chunks_s: number
  files_failed: number
  event_loop_p99_ms: number
  event_loop_max_ms: number
  peak_rss_mb: number
  /** CPU time the embedding server spent on this pipeline (it shares the machine's cores). */
  server_cpu_s: number
  /** What the machine's cores did during the run, this pipeline's and anything else's (see host-probe.ts). */
  host: HostShare | null
  /** Where the library was written (DocuMind's Ollama library seeds the retrieval benchmark). */
  library: string
  error: string | null
}

/** What a pipeline's own run gives; the embedding server's CPU and the host's shares are added around it. */
type RunFigures = Omit<ImportFigures, 'server_cpu_s' | 'host'>

export interface ImportOptions {
  corpus: string
  /** Bytes of every file in the corpus: the same numerator of MB/s for every pipeline. */
  corpusBytes: number
  workDir: string
  /** Each pipeline runs this many times, interleaved; the median run is reported. */
  rounds: number
  log: (line: string) => void
}

const REPO = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(REPO, 'out/main/cli.js')
const LANGCHAIN = fileURLToPath(new URL('./langchain-import.ts', import.meta.url))
export const EMBED_MODEL = 'nomic-embed-text'

/** DocuMind's `ingest --json` summary (the fields read here). */
interface IngestJson {
  chunks: number
  seconds: number
  searchable_seconds: number
  index_seconds: number
  failed: number
  event_loop_p99_ms: number
  event_loop_max_ms: number
}

async function runDocumind(pipeline: PipelineName, options: ImportOptions, round: number, ollamaUrl: string): Promise<RunFigures> {
  const library = join(options.workDir, `${pipeline}-${round}`)
  const embedder = pipeline === 'documind-ollama' ? ['--embedder', 'ollama', '--embed-model', EMBED_MODEL] : ['--embedder', 'builtin']
  const run = await runChild(process.execPath, [CLI, 'ingest', options.corpus, '--db', library, '--json', '--ollama', ollamaUrl, ...embedder])
  if (run.code !== 0) return failed(pipeline, library, `exit ${run.code}: ${run.stderr.slice(-500)}`, run.seconds)
  const summary = lastJsonLine<IngestJson>(run, pipeline)
  return {
    pipeline,
    seconds: summary.searchable_seconds,
    until_indexed_seconds: summary.seconds,
    mb_s_until_indexed: options.corpusBytes / 1e6 / summary.seconds,
    index_seconds: summary.index_seconds,
    wall_seconds: run.seconds,
    mb_s: options.corpusBytes / 1e6 / summary.searchable_seconds,
    chunks: summary.chunks,
    chunks_s: summary.chunks / summary.searchable_seconds,
    files_failed: summary.failed,
    event_loop_p99_ms: summary.event_loop_p99_ms,
    event_loop_max_ms: summary.event_loop_max_ms,
    peak_rss_mb: run.peakRssBytes / 1e6,
    library,
    error: null
  }
}

async function runLangchain(pipeline: PipelineName, mode: LangchainMode, options: ImportOptions, round: number, ollamaUrl: string): Promise<RunFigures> {
  const library = join(options.workDir, `${pipeline}-${round}`)
  const [command, args] = tsNode(LANGCHAIN, [mode, options.corpus, library, ollamaUrl])
  // LangChain's defaults are kept, Node's heap limit included: its memory is part of what is measured.
  const run = await runChild(command, args)
  let result: LangchainImportResult
  try {
    result = lastJsonLine<LangchainImportResult>(run, pipeline)
  } catch (error) {
    return failed(pipeline, library, (error as Error).message.slice(0, 500), run.seconds, run.peakRssBytes)
  }
  return {
    pipeline,
    seconds: result.seconds,
    until_indexed_seconds: result.seconds,
    mb_s_until_indexed: options.corpusBytes / 1e6 / result.seconds,
    index_seconds: null,
    wall_seconds: run.seconds,
    mb_s: options.corpusBytes / 1e6 / result.seconds,
    chunks: result.chunks,
    chunks_s: result.chunks / result.seconds,
    files_failed: result.files_failed,
    event_loop_p99_ms: result.event_loop_p99_ms,
    event_loop_max_ms: result.event_loop_max_ms,
    peak_rss_mb: run.peakRssBytes / 1e6,
    library,
    error: result.error
  }
}

function failed(pipeline: PipelineName, library: string, error: string, seconds: number, peakRssBytes = 0): RunFigures {
  return {
    pipeline, seconds, until_indexed_seconds: seconds, mb_s_until_indexed: 0, index_seconds: null, wall_seconds: seconds, mb_s: 0, chunks: 0, chunks_s: 0, files_failed: 0,
    event_loop_p99_ms: 0, event_loop_max_ms: 0, peak_rss_mb: peakRssBytes / 1e6, library, error
  }
}

/**
 * Runs every pipeline `rounds` times, interleaved (a slow minute on a shared machine then hurts
 * each pipeline once, not one pipeline every time), and keeps each pipeline's median run by MB/s.
 */
export async function runImports(options: ImportOptions): Promise<Record<PipelineName, ImportFigures>> {
  const runs: Record<PipelineName, ImportFigures[]> = { 'langchain-docs': [], 'documind-ollama': [], 'langchain-batched': [], 'documind-builtin': [] }
  for (let round = 1; round <= options.rounds; round++) {
    for (const pipeline of Object.keys(runs) as PipelineName[]) {
      options.log(`import: ${pipeline} (round ${round} of ${options.rounds})`)
      // A fresh embedding server for each run: none inherits another's heap or connections.
      const server = await startFakeServer()
      const host = watchHost()
      let figures: ImportFigures
      try {
        const run = pipeline.startsWith('langchain')
          ? await runLangchain(pipeline, pipeline === 'langchain-docs' ? 'docs' : 'batched', options, round, server.url)
          : await runDocumind(pipeline, options, round, server.url)
        figures = { ...run, server_cpu_s: server.cpuSeconds(), host: host() }
      } finally {
        await server.close()
      }
      options.log(
        `  ${figures.mb_s.toFixed(2)} MB/s, ${figures.chunks} chunks in ${figures.seconds.toFixed(1)} s (done ${figures.until_indexed_seconds.toFixed(1)} s), ` +
          `loop p99 ${figures.event_loop_p99_ms.toFixed(1)} ms max ${figures.event_loop_max_ms.toFixed(0)} ms, peak ${figures.peak_rss_mb.toFixed(0)} MB, server CPU ${figures.server_cpu_s.toFixed(0)} s` +
          (figures.host ? `, ${describeHost(figures.host)}` : '') +
          (figures.error ? `, error: ${figures.error}` : '')
      )
      runs[pipeline].push(figures)
    }
  }
  const medianRun = (list: ImportFigures[]): ImportFigures => [...list].sort((a, b) => a.mb_s - b.mb_s)[Math.floor((list.length - 1) / 2)]
  return {
    'documind-ollama': medianRun(runs['documind-ollama']),
    'documind-builtin': medianRun(runs['documind-builtin']),
    'langchain-docs': medianRun(runs['langchain-docs']),
    'langchain-batched': medianRun(runs['langchain-batched'])
  }
}
