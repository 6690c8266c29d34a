/**
 * The benchmark end to end, small: every phase of `npm run bench` (both import pipelines, the
 * retrieval library grown through the writer, time to first token through `documind serve`,
 * cold start, later imports into the grown library) on a few files of corpus-mini, checking the one JSON line keeps the fields issue 5
 * promises scripts. Needs the build, like the CLI tests.
 */
import { spawn } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UNINDEXED_ROWS_LEFT } from '../../src/core/store/writer'
import { BUILT } from '../cli/support'

const MINI = resolve(process.cwd(), '../shared/data/corpus-mini')

async function smallCorpus(dir: string): Promise<void> {
  for (const [folder, count] of [['md/trpl-zh-tw/src', 12], ['html', 3], ['pdf', 1], ['docx', 2]] as const) {
    await mkdir(join(dir, folder), { recursive: true })
    const files = (await readdir(join(MINI, folder), { withFileTypes: true })).filter((entry) => entry.isFile()).slice(0, count)
    for (const file of files) await copyFile(join(MINI, folder, file.name), join(dir, folder, file.name))
  }
}

function runBench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

describe.skipIf(!BUILT)('npm run bench', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('names a missing quick corpus in one line instead of building one or printing a stack', async () => {
    const missing = join(tmpdir(), `documind-no-corpus-${process.pid}`)
    const run = await runBench(['--quick', '--corpus', missing])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim()).toBe(
      `npm run bench: the corpus ${missing} is not there: --quick reads corpus-mini from ${resolve(process.cwd(), '../shared')}/data, which must sit beside this checkout (or pass --corpus DIR)`
    )
  })

  it('leaves no half-built corpus when building it fails, and says what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'documind-bench-test-'))
    dirs.push(dir)
    // apt-get as on a new machine whose package lists were never fetched.
    const bin = join(dir, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package python3.11-doc" >&2\nexit 100\n', { mode: 0o755 })
    const corpus = join(dir, 'corpus')
    const run = await runBench(['--corpus', corpus, '--work', join(dir, 'work')], { ...process.env, PATH: `${bin}:${process.env.PATH}` })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('E: Unable to locate package python3.11-doc')
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^npm run bench: \S+get-bench-corpus\.sh could not build the corpus \(exit code 100; .*run `apt-get update` once first$/)
    expect(await readdir(dir)).toEqual(['bin'])
  })

  it('runs every phase and prints one JSON line with the promised fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'documind-bench-test-'))
    dirs.push(dir)
    const corpus = join(dir, 'corpus')
    await smallCorpus(corpus)
    const report = join(dir, 'BENCHMARKS.md')
    const run = await runBench(['--quick', '--corpus', corpus, '--sizes', '1k', '--queries', '20', '--questions', '3', '--report', report, '--work', join(dir, 'work')])
    expect(run.code, run.stderr.slice(-3000)).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const result = JSON.parse(lines[0]) as Record<string, Record<string, unknown> | number | null>
    expect(Object.keys(result.import ?? {})).toEqual(
      expect.arrayContaining(['documind_mb_s', 'documind_builtin_mb_s', 'langchain_mb_s', 'ratio', 'event_loop_p99_ms', 'event_loop_max_ms', 'peak_rss_mb'])
    )
    const importFigures = result.import as Record<string, number>
    for (const field of ['documind_mb_s', 'documind_builtin_mb_s', 'langchain_mb_s', 'ratio', 'peak_rss_mb', 'documind_mb_s_until_indexed', 'ratio_until_indexed']) expect(importFigures[field]).toBeGreaterThan(0)
    // Searchable comes before done: the vector index is built after.
    expect(importFigures.documind_mb_s).toBeGreaterThanOrEqual(importFigures.documind_mb_s_until_indexed)
    // What the host took during each import, from /proc/stat (Linux, as here and in CI).
    for (const field of ['documind_host_steal_pct', 'langchain_host_steal_pct']) expect(importFigures[field]).toBeGreaterThanOrEqual(0)
    const retrieval = result.retrieval as Record<string, Record<string, number> | null>
    expect(Object.keys(retrieval)).toEqual(expect.arrayContaining(['10k', '100k', '1m']))
    expect(retrieval['1k']).toMatchObject({ rows: 1000 })
    expect(Object.keys(retrieval['1k']!)).toEqual(expect.arrayContaining(['p50_ms', 'p95_ms', 'p99_ms', 'recall_at_10', 'cjk_p95_ms', 'other_p95_ms', 'pasted_p95_ms', 'host_probe_ms', 'host_steal_pct']))
    expect(retrieval['1k']!.host_steal_pct).toBeGreaterThanOrEqual(0)
    // Below the vector index's threshold the search is exhaustive, so it finds the exact neighbours.
    expect(retrieval['1k']!.recall_at_10).toBe(1)
    expect(Object.keys(result.ttft_overhead_ms ?? {})).toEqual(['p50', 'p95'])
    const first = result.first_question_ms as Record<string, number>
    expect(first.at_launch).toBeGreaterThan(0)
    expect(first.after_typing).toBeGreaterThan(0)
    expect(result.cold_start_s).toBeGreaterThan(0)
    // Three short notes, then two long documents, added one at a time to the grown library.
    const later = (result.later_imports as Record<string, { rows: number; seconds: number[]; chunks: number[]; peak_rss_mb: number }>)['1k']
    expect(later.rows).toBe(1000)
    expect(later.chunks).toHaveLength(5)
    expect(later.chunks.slice(0, 3).every((chunks) => chunks >= 1 && chunks <= UNINDEXED_ROWS_LEFT / 3)).toBe(true)
    expect(later.chunks.slice(3).every((chunks) => chunks > UNINDEXED_ROWS_LEFT)).toBe(true)
    expect(later.seconds.every((seconds) => seconds > 0)).toBe(true)
    expect(later.peak_rss_mb).toBeGreaterThan(0)
    const written = await readFile(report, 'utf8')
    expect(written).toMatch(/## Targets \(issue 5\)[\s\S]*## Import[\s\S]*## Retrieval[\s\S]*## Answers[\s\S]*## Later imports/)
    // Where the 20 timed searches' time went: all of them, then the slowest one (5% of 20).
    expect(retrieval['1k']!.host_probe_ms).toBeGreaterThan(0)
    expect(written).toMatch(/1k: .* The host probe \(a fixed workload, see bench\/lib\/host-probe.ts\) took [\d.]+ ms before the searches and [\d.]+ ms after\. During the searches the cores were [\d.]+% busy, and the hypervisor took [\d.]+% of their time for other guests \(steal\)\./)
    // Each import's row ends with the cores' shares over its run.
    expect(written).toMatch(/\| DocuMind, Ollama embeddings \|.* \| [\d.]+ \/ [\d.]+ \|\n/)
    expect(written).toMatch(/\| 1k, all \| 20 \| \d+ \| \d+ \| \d+ \|( [\d.]+ \|){5}\n\| 1k, slowest 5% \| 1 \|/)
  }, 300_000)
})
