import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { CORPUS, closedOllamaUrl, tempDir } from '../engine/support'
import { BUILT, jsonOf, runCli, startCli } from './support'

describe.skipIf(!BUILT)('documind CLI', () => {
  let db: string
  let ingest: Record<string, unknown>
  let fake: FakeOllama

  beforeAll(async () => {
    db = join(tempDir(), 'library')
    fake = await startFakeOllama({ reply: 'A data frame is a list of variables of the same length [1]. It can be attached [2].' })
    ingest = jsonOf(await runCli(['ingest', CORPUS, '--db', db, '--json']))
  }, 180_000)
  afterAll(() => fake.close())

  it('ingest --json imports corpus-mini and keeps the main thread responsive', () => {
    expect(Object.keys(ingest)).toEqual(expect.arrayContaining(['files', 'indexed', 'skipped', 'failed', 'chunks', 'seconds', 'event_loop_p99_ms', 'failures']))
    expect(ingest.indexed).toBeGreaterThanOrEqual(665)
    expect(ingest.files).toBe(705)
    for (const failure of ingest.failures as Array<{ path: string; reason: string }>) expect(failure.reason).toMatch(/\w{3,}.*\w{3,}/)
    expect(ingest.event_loop_p99_ms).toBeLessThan(20)
  })

  it('search --json gives hits with document, page, score and text', async () => {
    const out = jsonOf(await runCli(['search', 'attach a data frame', '-k', '3', '--db', db, '--json']))
    const hits = out.hits as Array<Record<string, unknown>>
    expect(hits).toHaveLength(3)
    expect(hits[0]).toMatchObject({ document: 'R-intro.pdf' })
    expect(typeof hits[0].page).toBe('number')
    expect(typeof hits[0].score).toBe('number')
    expect(String(hits[0].text)).toMatch(/data frame/)
  })

  it('search folds a question typed with full-width letters as the documents were folded', async () => {
    const hitsOf = async (query: string) => (jsonOf(await runCli(['search', query, '-k', '3', '--db', db, '--json'])).hits as Array<Record<string, unknown>>).map(({ document, page, score }) => ({ document, page, score }))
    const typed = await hitsOf('attach a data frame')
    expect(typed[0]).toMatchObject({ document: 'R-intro.pdf' })
    expect(await hitsOf('ａｔｔａｃｈ ａ ｄａｔａ ｆｒａｍｅ')).toEqual(typed)
  })

  it('reads PDFs in the built ingest worker with PDFium: a Chinese line keeps its characters together', async () => {
    // pdf.js, which the parser falls back to, reads this line of the zh-TW PDF as "此 軟 件 包 包 含 了 …".
    const out = jsonOf(await runCli(['search', '此軟件包包含了 GNU 項目中的兩篇文檔', '-k', '3', '--db', db, '--json']))
    const hits = out.hits as Array<Record<string, unknown>>
    expect(hits.some((hit) => String(hit.text).includes('此軟件包包含了 GNU 項目中的兩篇文檔')), JSON.stringify(hits)).toBe(true)
  })

  it('ask --json answers from the model with citations to real chunks and pages', async () => {
    const out = jsonOf(await runCli(['ask', 'What is a data frame?', '--db', db, '--ollama', fake.url, '--json']))
    expect(out.mode).toBe('generative')
    expect(out.answer).toMatch(/A data frame is a list/)
    const citations = out.citations as Array<{ n: number; document: string; path: string; page: number; text: string }>
    expect(citations.map((c) => c.n)).toEqual([1, 2])
    for (const citation of citations) {
      expect(citation.path).toMatch(/R-intro\.pdf$/)
      expect(citation.page).toBeGreaterThan(0)
      expect(citation.text.length).toBeGreaterThan(50)
    }
  })

  it('ask streams tokens to the terminal and lists the sources', async () => {
    const run = await runCli(['ask', 'What is a data frame?', '--db', db], { OLLAMA_HOST: fake.url })
    expect(run.stdout).toMatch(/A data frame is a list of variables/)
    expect(run.stdout).toMatch(/Sources:\n\[1\] R-intro\.pdf \(page \d+/)
  })

  it('ask answers extractively, with citations, when no Ollama is reachable', async () => {
    const out = jsonOf(await runCli(['ask', 'What is a data frame?', '--db', db, '--ollama', await closedOllamaUrl(), '--json']))
    expect(out.mode).toBe('extractive')
    expect(out.notice).toMatch(/No language model was reachable/)
    expect((out.citations as unknown[]).length).toBeGreaterThan(0)
  })

  it('ask prints an extractive answer as its passages read, and --json gives it as Markdown', async () => {
    const dir = tempDir()
    const notes = join(dir, 'typhoon.md')
    await writeFile(notes, '# Typhoon days\n\nWhen the city calls a *typhoon day*, the office_closed flag is set and nobody comes in.\n')
    const small = join(dir, 'library')
    expect((await runCli(['ingest', notes, '--db', small, '--json'])).code).toBe(0)
    const args = ['ask', 'What happens on a typhoon day?', '--db', small, '--ollama', await closedOllamaUrl()]
    const printed = await runCli(args)
    expect(printed.stdout.split('\n')[0]).toBe('# Typhoon days When the city calls a *typhoon day*, the office_closed flag is set and nobody comes in. [1]')
    const out = jsonOf(await runCli([...args, '--json']))
    expect(out.answer).toBe('\\# Typhoon days When the city calls a \\*typhoon day\\*, the office_closed flag is set and nobody comes in. [1]')
  })

  it('docs lists documents with status, and rm removes one', async () => {
    const docs = JSON.parse((await runCli(['docs', '--db', db, '--json'])).stdout) as Array<{ id: string; name: string; status: string; chunks: number }>
    const alias = docs.find((d) => d.name === 'alias.md' && d.status === 'ready')!
    expect(alias.chunks).toBeGreaterThan(0)
    const rm = await runCli(['rm', alias.id, '--db', db])
    expect(rm.stdout).toMatch(/removed .*alias\.md/)
    const after = JSON.parse((await runCli(['docs', '--db', db, '--json'])).stdout) as Array<{ id: string }>
    expect(after.some((d) => d.id === alias.id)).toBe(false)
  })

  it('stops quietly when what reads its output stops first (documind search ... | head)', async () => {
    const { child, done } = startCli(['search', 'attach a data frame', '--db', db])
    child.stdout!.destroy()
    const run = await done
    expect(run.stderr).toBe('')
    expect(run.code).toBe(141)
  })

  it('explains bad usage', async () => {
    const run = await runCli(['search'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/search needs "QUERY"/)
  })
})
