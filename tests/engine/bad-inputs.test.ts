import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { docxMembers, wordDocumentXml, zeros, zipArchive } from '../parse/zip-builder'
import { BAD_INPUTS, CORPUS, closedOllamaUrl, tempDir, testEngine } from './support'

describe('bad input never stops an import', () => {
  it('imports or refuses every file of bad-inputs with a reason, and imports the good files beside them', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const good = [join(CORPUS, 'md/tldr/en/atool.md'), join(CORPUS, 'epub/alice.epub')]
    // And a decompression bomb: a Word file holding 2 GiB of zeros in 2 MB.
    const bombs = join(tempDir(), 'bombs')
    mkdirSync(bombs)
    writeFileSync(join(bombs, 'bomb.docx'), zipArchive(docxMembers(wordDocumentXml('Report', 'Text.'), [zeros('word/media/image1.png', 2048)])))
    // Memory stays bounded: the process's resident memory (the ingest threads are in it) is
    // sampled through the import.
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const summary = await engine.ingest([BAD_INPUTS, bombs, ...good]).finally(() => clearInterval(sampler))
    console.log(`bad inputs and a 2 GiB zip bomb: resident memory grew by ${Math.round((peak - baseline) / 2 ** 20)} MB at most during the import`)
    expect(peak - baseline, `peak RSS grew by ${Math.round((peak - baseline) / 2 ** 20)} MB`).toBeLessThan(768 * 2 ** 20)
    const bomb = summary.failures.find((f) => f.path.endsWith('bomb.docx'))
    expect(bomb?.reason).toMatch(/expand|compress|too large|bomb/i)
    const failed = new Map(summary.failures.filter((f) => f !== bomb).map((f) => [f.path.slice(BAD_INPUTS.length + 1), f]))

    // The 3 MB single line and the Markdown file with a few invalid bytes are text.
    expect(failed.has('one-huge-line.txt')).toBe(false)
    expect(failed.has('invalid-utf8.md')).toBe(false)
    const warning = summary.warnings.find((w) => w.path.endsWith('invalid-utf8.md'))
    expect(warning?.warnings.join(' ')).toMatch(/invalid UTF-8/)

    expect(failed.get('binary-named.txt')?.code).toBe('not-text')
    expect(failed.get('binary-named.txt')?.reason).toMatch(/binary/)
    expect(failed.get('empty.txt')?.reason).toMatch(/empty/i)
    expect(failed.get('empty.pdf')?.reason).toMatch(/empty/i)
    for (const name of ['fake.pdf', 'truncated.pdf']) expect(failed.get(name)?.reason, name).toMatch(/damaged|truncated/i)
    expect(failed.get('not-a-zip.docx')?.reason).toMatch(/not a valid Word document/)
    expect(failed.get('truncated.epub')?.reason).toMatch(/truncated|damaged|not a valid/i)
    const fuzzed = [...failed.keys()].filter((name) => name.startsWith('clusterfuzz'))
    expect(fuzzed).toHaveLength(6)
    for (const name of fuzzed) expect(failed.get(name)?.reason, name).toMatch(/Word document/)

    // 15 files: 2 import, 13 fail (and the bomb); the good files beside them import.
    expect(summary.failed).toBe(14)
    expect(summary.indexed).toBe(4)
    const ready = (await engine.documents()).filter((d) => d.status === 'ready').map((d) => d.name)
    expect(ready).toEqual(expect.arrayContaining(['atool.md', 'alice.epub', 'one-huge-line.txt', 'invalid-utf8.md']))
    expect((await engine.search('Cheshire cat grin')).hits[0]?.path).toMatch(/alice\.epub$/)
  }, 120_000)

  it('reports symlink loops, unreadable files and odd names without stopping', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const root = join(tempDir(), 'odd')
    mkdirSync(join(root, 'inner'), { recursive: true })
    symlinkSync(root, join(root, 'inner', 'loop'))
    writeFileSync(join(root, '會議 紀錄 📝 2024.md'), '# 會議紀錄\n\n下次會議在三月舉行。\n')
    writeFileSync(join(root, 'locked.md'), '# Locked\n\nYou cannot read me.\n')
    chmodSync(join(root, 'locked.md'), 0o000)
    copyFileSync(join(CORPUS, 'md/tldr/en/atool.md'), join(root, 'inner', 'atool.md'))
    const summary = await engine.ingest([root])

    expect(summary.skippedFiles.some((s) => /symbolic link loop/.test(s.reason))).toBe(true)
    const names = (await engine.documents()).filter((d) => d.status === 'ready').map((d) => d.name)
    expect(names).toEqual(expect.arrayContaining(['會議 紀錄 📝 2024.md', 'atool.md']))
    expect((await engine.search('三月舉行')).hits[0]?.document).toMatch(/會議/)
    // Root can read anything, so the permission failure only shows for other users.
    if (process.getuid?.() !== 0) expect(summary.failures.find((f) => f.path.endsWith('locked.md'))?.reason).toMatch(/Permission denied/)
  }, 60_000)

  it('fails a file over the size limit without reading it, and a file that takes too long', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const big = join(CORPUS, 'pdf/R-intro.pdf')
    const tooLarge = await engine.ingest([big], { maxBytes: 1024 })
    expect(tooLarge.failures[0].code).toBe('too-large')
    expect(tooLarge.failures[0].reason).toMatch(/imports files up to 1\.0 KB/)

    const slow = await engine.ingest([big], { fileTimeoutMs: () => 50 })
    expect(slow.failures[0].code).toBe('timeout')
    expect(slow.failures[0].reason).toMatch(/took longer than/)
    // The pool replaced the stopped thread: the next import works.
    const ok = await engine.ingest([join(CORPUS, 'md/tldr/en/atool.md')])
    expect(ok.indexed).toBe(1)
  }, 60_000)
})
