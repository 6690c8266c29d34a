import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Engine } from '../../src/core/engine'
import { closedOllamaUrl, tempDir, testEngine } from './support'

/** Notes about unrelated things, so that a search for one finds only it. */
const KITE = '# Kites\n\nA box kite flies steadily in gusty wind; launch it from a running start.\n'
const TEA = '# Tea\n\nOolong from Dong Ding is roasted over charcoal until the leaves turn amber.\n'
const BREAD = '# Bread\n\nA sourdough starter is fed with rye flour and water every morning.\n'
const BOATS = '# Boats\n\nA dinghy is rigged with a single sail and steered by a tiller.\n'

async function folderWith(files: Record<string, string>): Promise<string> {
  const folder = join(tempDir(), 'notes')
  mkdirSync(folder)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text)
  return folder
}

/** The names of the documents the best hit for `query` comes from, or null when nothing matches. */
async function foundIn(engine: Engine, query: string): Promise<string | null> {
  const result = await engine.search(query)
  return result.noMatch ? null : (result.hits[0]?.document ?? null)
}

async function readyNames(engine: Engine): Promise<string[]> {
  return (await engine.documents())
    .filter((doc) => doc.status === 'ready')
    .map((doc) => doc.name)
    .sort()
}

describe('copies of a file that changes in the same import', () => {
  it('keeps a file holding the old content of a file edited in the same import, however many copies there are', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = await folderWith({ 'kite.md': KITE, 'tea.md': TEA })
    await engine.ingest([folder])

    writeFileSync(join(folder, 'kite.md'), BREAD)
    // More copies than the import reads at once: each waits for the file it may be a copy of.
    for (let i = 1; i <= 6; i++) writeFileSync(join(folder, `kite-${i}.md`), KITE)
    const summary = await engine.ingest([folder])

    expect(summary.indexed).toBe(2)
    expect(summary.unchanged).toBe(1)
    expect(summary.skippedFiles).toHaveLength(5)
    // The five later copies are copies of the one kept, not of the edited file.
    const kept = (await readyNames(engine)).filter((name) => /^kite-\d\.md$/.test(name))
    expect(kept).toHaveLength(1)
    for (const skipped of summary.skippedFiles) expect(skipped.reason).toContain(`Same content as ${join(folder, kept[0])}`)
    expect(await foundIn(engine, 'box kite gusty wind')).toBe('Kites')
    expect((await engine.search('box kite gusty wind')).hits[0].path).toBe(join(folder, kept[0]))
    expect(await foundIn(engine, 'sourdough starter rye')).toBe('Bread')
  }, 60_000)

  it('imports two files that swapped contents', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = await folderWith({ 'a.md': KITE, 'b.md': TEA })
    await engine.ingest([folder])

    writeFileSync(join(folder, 'a.md'), TEA)
    writeFileSync(join(folder, 'b.md'), KITE)
    const summary = await engine.ingest([folder])

    expect(summary.indexed).toBe(2)
    expect(summary.skippedFiles).toEqual([])
    expect((await engine.search('box kite gusty wind')).hits[0].path).toBe(join(folder, 'b.md'))
    expect((await engine.search('oolong roasted charcoal')).hits[0].path).toBe(join(folder, 'a.md'))
  }, 60_000)

  it('still skips a copy of a file that is imported again unchanged or only touched', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = await folderWith({ 'kite.md': KITE, 'kite copy.md': KITE, 'tea.md': TEA })
    const first = await engine.ingest([folder])
    expect(first.indexed).toBe(2)
    const original = first.skippedFiles[0].reason.includes(join(folder, 'kite.md')) ? 'kite.md' : 'kite copy.md'
    const copy = original === 'kite.md' ? 'kite copy.md' : 'kite.md'
    expect(first.skippedFiles.map((s) => s.path)).toEqual([join(folder, copy)])

    const again = await engine.ingest([folder])
    expect(again.unchanged).toBe(2)
    expect(again.skippedFiles).toEqual([{ path: join(folder, copy), reason: expect.stringContaining(`Same content as ${join(folder, original)}`) }])

    // A new modification time makes the original be read again: its copy waits to learn it is unchanged.
    const later = new Date(Date.now() + 60_000)
    utimesSync(join(folder, original), later, later)
    const touched = await engine.ingest([folder])
    expect(touched.unchanged).toBe(2)
    expect(touched.indexed).toBe(0)
    expect(touched.skippedFiles.map((s) => s.path)).toEqual([join(folder, copy)])
    expect(await readyNames(engine)).toEqual([original, 'tea.md'])
  }, 60_000)

  it('drops the old content of a file that became a copy of another', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    const folder = await folderWith({ 'boats.md': BOATS, 'tea.md': TEA })
    await engine.ingest([folder])

    writeFileSync(join(folder, 'boats.md'), TEA)
    const summary = await engine.ingest([folder])

    expect(summary.skippedFiles).toEqual([{ path: join(folder, 'boats.md'), reason: expect.stringContaining(`Same content as ${join(folder, 'tea.md')}`) }])
    expect(await readyNames(engine)).toEqual(['tea.md'])
    expect(await foundIn(engine, 'dinghy sail tiller')).toBeNull()
  }, 60_000)
})
