/**
 * Later imports into a large library: a user adds a few files to a library that already holds
 * the benchmark's 10k, 100k or 1M chunks. Each file is one `documind ingest FILE --json` of the
 * built CLI, in a process of its own, timed and measured from outside like the first import.
 *
 * The files are written from the library's own passages (real text of the corpus): three short
 * notes of two passages each, added one after another, then two long documents of
 * `LONG_PASSAGES` passages, each more rows than an import may leave outside the indexes
 * (UNINDEXED_ROWS_LEFT in src/core/store/writer.ts), so that each import folds every left-out
 * row into the indexes. The notes show what a small addition costs; the first long document what
 * folding in costs when the rows left out are all new; the second what it costs when the
 * previous fold left a small indexed file, which LanceDB then compacts with the library's.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CHUNKS_TABLE, connectLibrary } from '../src/core/store/library'
import { unpackPassage } from '../src/core/store/passage'
import { lastJsonLine, runChild } from './lib/process-tree'

const CLI = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
const NOTES = 3
const PASSAGES_PER_NOTE = 2
const LONG_DOCUMENTS = 2
const LONG_PASSAGES = 160

export interface LaterImport {
  file: string
  /** Chunks the import wrote. */
  chunks: number
  /** The CLI's own timing of the import, and of it the time spent on the indexes at the end. */
  seconds: number
  index_seconds: number
  /** Until its document could be searched (the vector index may be trained again after). */
  searchable_seconds: number
  peak_rss_mb: number
}

export interface LaterImportFigures {
  /** Chunks in the library before the first of these imports. */
  rows: number
  imports: LaterImport[]
}

interface IngestJson {
  chunks: number
  seconds: number
  searchable_seconds: number
  index_seconds: number
  indexed: number
}

export async function runLaterImports(options: { libraryDir: string; workDir: string; ollamaUrl: string; embedModel: string; cli?: string }): Promise<LaterImportFigures> {
  const db = await connectLibrary(options.libraryDir)
  const table = await db.openTable(CHUNKS_TABLE)
  const rows = await table.countRows()
  const wanted = NOTES * PASSAGES_PER_NOTE + LONG_DOCUMENTS * LONG_PASSAGES
  // Spread over the first passages (every fifth, in a library large enough), so that a file does
  // not read as one run of a document.
  const stride = Math.max(1, Math.min(5, Math.floor(rows / wanted)))
  const texts = ((await table.query().select(['passage']).limit(wanted * stride).toArray()) as Array<{ passage: string }>)
    .filter((_, i) => i % stride === 0)
    .map((row) => unpackPassage(row.passage).text)
  table.close()
  db.close()
  if (texts.length < wanted) throw new Error(`later imports: the library has too few passages (${texts.length} of ${wanted})`)

  const dir = join(options.workDir, 'later-imports')
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  for (let n = 0; n < NOTES; n++) {
    const file = join(dir, `note-${n + 1}.md`)
    await writeFile(file, `# Note ${n + 1}\n\n${texts.slice(n * PASSAGES_PER_NOTE, (n + 1) * PASSAGES_PER_NOTE).join('\n\n')}\n`)
    files.push(file)
  }
  for (let n = 0; n < LONG_DOCUMENTS; n++) {
    const file = join(dir, `long-document-${n + 1}.md`)
    const from = NOTES * PASSAGES_PER_NOTE + n * LONG_PASSAGES
    const sections = texts.slice(from, from + LONG_PASSAGES).map((text, i) => `## Section ${i + 1}\n\n${text}`)
    await writeFile(file, `# Long document ${n + 1}\n\n${sections.join('\n\n')}\n`)
    files.push(file)
  }

  const imports: LaterImport[] = []
  for (const file of files) {
    const run = await runChild(process.execPath, [options.cli ?? CLI, 'ingest', file, '--db', options.libraryDir, '--json', '--ollama', options.ollamaUrl, '--embedder', 'ollama', '--embed-model', options.embedModel])
    if (run.code !== 0) throw new Error(`later import of ${file}: exit ${run.code}: ${run.stderr.slice(-500)}`)
    const summary = lastJsonLine<IngestJson>(run, 'later import')
    if (summary.indexed !== 1) throw new Error(`later import of ${file} indexed ${summary.indexed} files:\n${run.stdout.slice(-500)}`)
    imports.push({ file: file.slice(dir.length + 1), chunks: summary.chunks, seconds: summary.seconds, index_seconds: summary.index_seconds, searchable_seconds: summary.searchable_seconds, peak_rss_mb: run.peakRssBytes / 1e6 })
  }
  return { rows, imports }
}
