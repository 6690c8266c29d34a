import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createEmbedder } from '../core/embed/choice'
import { Engine } from '../core/engine'
import { runBeirEval } from '../core/eval/run'
import type { IngestSummary } from '../core/ingest/events'
import { formatBytes } from '../core/ingest/process'
import type { Citation, Hit } from '../core/types'
import { unquoteMarkdown } from '../core/text/markdown-quote'
import type { CommandLine } from './args'
import { ProgressBar } from './progress'
import { runServe } from './serve'

const out = (text: string): void => {
  process.stdout.write(text)
}

export async function runCommand(line: CommandLine): Promise<number> {
  if (line.command === 'eval') return evaluate(line)
  if (line.command === 'serve') return runServe(line)
  const engine = new Engine({ libraryDir: line.libraryDir, ollamaHost: line.ollamaHost })
  try {
    switch (line.command) {
      case 'ingest':
      case 'reindex':
        return await ingest(engine, line)
      case 'search':
        return await search(engine, line)
      case 'ask':
        return await ask(engine, line)
      case 'docs':
        return await docs(engine, line)
      case 'rm':
        return await remove(engine, line)
      default:
        throw new Error(`"${line.command}" is not available in this build`)
    }
  } finally {
    await engine.close()
  }
}

async function ingest(engine: Engine, line: CommandLine): Promise<number> {
  const controller = new AbortController()
  const cancel = (): void => controller.abort(new Error('cancelled'))
  process.once('SIGINT', cancel)
  const bar = !line.json && process.stderr.isTTY ? new ProgressBar(process.stderr) : null
  // The main thread only coordinates; this measures how responsive it stayed during the import.
  // At 1 ms resolution a sample is the real lateness of a 1 ms timer (at the default 10 ms, every
  // sample would carry 10 ms of waiting that is not delay).
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  let summary: IngestSummary
  try {
    const request = { embedder: line.embedder, signal: controller.signal, onEvent: bar ? bar.onEvent.bind(bar) : undefined }
    summary = line.command === 'reindex' ? await engine.reindex(request) : await engine.ingest(line.args, request)
  } finally {
    loop.disable()
    bar?.done()
    process.off('SIGINT', cancel)
  }
  const p99 = Math.round((loop.percentile(99) / 1e6) * 100) / 100
  if (line.json) {
    out(
      JSON.stringify({
        files: summary.files,
        indexed: summary.indexed,
        unchanged: summary.unchanged,
        skipped: summary.skipped,
        failed: summary.failed,
        chunks: summary.chunks,
        seconds: Math.round(summary.seconds * 100) / 100,
        searchable_seconds: Math.round(summary.searchableSeconds * 100) / 100,
        index_seconds: Math.round(summary.indexSeconds * 100) / 100,
        event_loop_p99_ms: p99,
        event_loop_max_ms: Math.round((loop.max / 1e6) * 100) / 100,
        cancelled: summary.cancelled,
        failures: summary.failures,
        skipped_files: summary.skippedFiles,
        warnings: summary.warnings
      }) + '\n'
    )
    return 0
  }
  out(
    `${summary.cancelled ? 'Cancelled' : 'Done'}: ${summary.indexed} imported, ${summary.unchanged} unchanged, ${summary.skipped} skipped, ` +
      `${summary.failed} failed; ${summary.chunks} chunks from ${formatBytes(summary.bytes || 0)} in ${summary.seconds.toFixed(1)} s` +
      `${summary.seconds - summary.searchableSeconds >= 1 ? ` (searchable after ${summary.searchableSeconds.toFixed(1)} s; the vector index took the rest)` : ''}.\n`
  )
  for (const failure of summary.failures) out(`  failed   ${failure.path}\n           ${failure.reason}\n`)
  for (const item of summary.warnings) out(`  warning  ${item.path}\n           ${item.warnings.join('\n           ')}\n`)
  if (summary.skipped) out(`  (${summary.skipped} files skipped: not a format DocuMind reads, or duplicates; --json lists them)\n`)
  return 0
}

async function search(engine: Engine, line: CommandLine): Promise<number> {
  const result = await engine.search(line.args.join(' '), { k: line.k ?? 8 })
  if (line.json) {
    out(JSON.stringify({ hits: result.hits.map(hitJson), no_match: result.noMatch, notices: result.notices }) + '\n')
    return 0
  }
  for (const notice of result.notices) out(`(${notice})\n`)
  if (result.hits.length === 0) out('Nothing found.\n')
  result.hits.forEach((hit, i) => {
    out(`${i + 1}. ${hit.document}${hit.page ? `, page ${hit.page}` : ''}  (score ${hit.score.toFixed(3)})\n   ${hit.path}\n   ${oneLine(hit.text, 240)}\n`)
  })
  return 0
}

async function ask(engine: Engine, line: CommandLine): Promise<number> {
  const controller = new AbortController()
  const stop = (): void => controller.abort(new Error('stopped'))
  process.once('SIGINT', stop)
  let streamed = false
  try {
    const answer = await engine.ask(line.args.join(' '), {
      k: line.k,
      model: line.model,
      signal: controller.signal,
      onToken: line.json
        ? undefined
        : (token) => {
            streamed = true
            out(token)
          }
    })
    if (line.json) {
      out(
        JSON.stringify({
          answer: answer.answer,
          mode: answer.mode,
          citations: answer.citations.map((c) => ({ n: c.n, document: c.document, path: c.path, page: c.page, text: c.text })),
          notice: answer.notice ?? null,
          no_match: answer.noMatch,
          interrupted: answer.interrupted ?? null,
          model: answer.model ?? null
        }) + '\n'
      )
      return 0
    }
    // A streamed answer is already on screen; an extractive one (or a cleaned-up text) is printed now.
    if (!streamed) out(answer.mode === 'extractive' ? unquoteMarkdown(answer.answer) : answer.answer)
    out('\n')
    if (answer.notice) out(`\n(${answer.notice})\n`)
    if (answer.citations.length) out('\nSources:\n')
    for (const citation of answer.citations) out(citationLine(citation))
    return 0
  } finally {
    process.off('SIGINT', stop)
  }
}

async function docs(engine: Engine, line: CommandLine): Promise<number> {
  const list = await engine.documents()
  if (line.json) {
    out(JSON.stringify(list) + '\n')
    return 0
  }
  if (list.length === 0) out('The library is empty. Import documents with: documind ingest PATH\n')
  for (const doc of list) {
    const detail = doc.status === 'failed' ? doc.error : `${doc.chunks} chunks${doc.pages ? `, ${doc.pages} pages` : ''}`
    out(`${doc.id || '(queued)'}  ${doc.status.padEnd(7)}  ${formatBytes(doc.size).padStart(9)}  ${doc.path}\n    ${detail}\n`)
  }
  return 0
}

async function remove(engine: Engine, line: CommandLine): Promise<number> {
  const removed = await engine.remove(line.args)
  for (const doc of removed) out(`removed  ${doc.path} (${doc.chunks} chunks)\n`)
  return 0
}

async function evaluate(line: CommandLine): Promise<number> {
  const libraryDir = line.libraryGiven ? line.libraryDir : await mkdtemp(join(tmpdir(), 'documind-eval-'))
  try {
    const embedder = await createEmbedder(line.embedder ?? { kind: 'builtin' })
    const result = await runBeirEval({
      dir: line.beir!,
      split: line.split,
      libraryDir,
      embedder,
      onProgress: line.json || !process.stderr.isTTY ? undefined : (phase, done, total) => process.stderr.write(`\r${phase} ${done}${total ? `/${total}` : ''}   `)
    })
    if (!line.json && process.stderr.isTTY) process.stderr.write('\r')
    out(line.json ? JSON.stringify(result) + '\n' : formatEval(result))
    return 0
  } finally {
    if (!line.libraryGiven) await rm(libraryDir, { recursive: true, force: true })
  }
}

function formatEval(result: Awaited<ReturnType<typeof runBeirEval>>): string {
  return (
    `${result.dataset}: ${result.queries} queries over ${result.documents} documents (${result.chunks} chunks)\n` +
    `  nDCG@10     ${result.ndcg_at_10.toFixed(4)}\n  Recall@100  ${result.recall_at_100.toFixed(4)}\n  MRR@10      ${result.mrr_at_10.toFixed(4)}\n` +
    `  ${result.ms_per_query.toFixed(1)} ms per query; indexed in ${result.index_seconds.toFixed(1)} s\n`
  )
}

function hitJson(hit: Hit): object {
  return { document: hit.document, path: hit.path, page: hit.page, headings: hit.headings, score: hit.score, text: hit.text, doc_id: hit.docId, chunk_id: hit.chunkId }
}

function citationLine(citation: Citation): string {
  const where = [citation.page ? `page ${citation.page}` : '', citation.headings.join(' › ')].filter(Boolean).join(', ')
  return `[${citation.n}] ${citation.document}${where ? ` (${where})` : ''}\n    ${citation.path}\n`
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
