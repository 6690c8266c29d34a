import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LibraryError } from '../../src/core/store/library'
import { afterFile, CORPUS, closedOllamaUrl, tempDir, testEngine } from '../engine/support'

/** A few real documents to import. */
function smallFolder(): string {
  const folder = join(tempDir(), 'docs')
  mkdirSync(folder)
  for (const name of readdirSync(join(CORPUS, 'md/tldr/en')).slice(0, 40)) cpSync(join(CORPUS, 'md/tldr/en', name), join(folder, name))
  return folder
}

/** Mounting a small tmpfs needs root (CI and these machines run as root); elsewhere the test says why it skipped. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false
  const probe = join(tempDir(), 'probe')
  mkdirSync(probe)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const MOUNT = canMount()
if (!MOUNT) console.log('Skipping the full-disk and read-only tests: mounting a tmpfs needs root (process uid', process.getuid?.(), ')')

function tmpfs(sizeMb: number): string {
  const dir = join(tempDir(), 'disk')
  mkdirSync(dir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir])
  afterFile(() => execFileSync('umount', ['-l', dir]))
  return dir
}

async function expectLibraryError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(LibraryError)
  expect((error as LibraryError).code).toBe(code)
  expect((error as LibraryError).message).toMatch(message)
}

describe('a damaged library', () => {
  it('says the index is damaged and how to rebuild it, and re-indexing from the document list repairs it', async () => {
    const engine = testEngine({ ollamaHost: await closedOllamaUrl() })
    await engine.ingest([smallFolder()])
    const before = (await engine.documents()).filter((d) => d.status === 'ready').length
    const data = join(engine.libraryDir, 'db/chunks.lance/data')
    for (const file of readdirSync(data)) truncateSync(join(data, file), 100)

    // Every attempt gives the same clear error: no crash, no loop.
    for (let i = 0; i < 2; i++) await expectLibraryError(engine.search('archive'), 'corrupt', /damaged.*re-index to rebuild it/)
    expect((await engine.documents()).filter((d) => d.status === 'ready')).toHaveLength(before)

    const summary = await engine.reindex()
    expect(summary.indexed).toBe(before)
    expect((await engine.search('archive files')).hits.length).toBeGreaterThan(0)
  }, 60_000)
})

describe.skipIf(!MOUNT)('a full or read-only disk', () => {
  it('stops an import on a full disk with a clear error, keeps what was imported, and resumes once there is room', async () => {
    const disk = tmpfs(3)
    const libraryDir = join(disk, 'library')
    const engine = testEngine({ ollamaHost: await closedOllamaUrl(), libraryDir })
    await expectLibraryError(engine.ingest([CORPUS]), 'no-space', /disk holding .* is full.*resumes where it stopped/)
    // What was committed before the disk filled is intact and listed; the rest is still queued.
    const docs = await engine.documents()
    expect(docs.some((d) => d.status === 'queued')).toBe(true)

    execFileSync('mount', ['-o', 'remount,size=200m', disk])
    const resumed = await engine.ingest([])
    expect(resumed.failed + resumed.indexed + resumed.unchanged).toBeGreaterThan(0)
    const ready = (await engine.documents()).filter((d) => d.status === 'ready')
    expect(ready.length).toBeGreaterThanOrEqual(665)
    expect((await engine.search('Cheshire cat')).hits[0]?.path).toMatch(/alice\.epub$/)
  }, 180_000)

  it('refuses to import into a read-only folder with a clear error, and still searches it', async () => {
    const disk = tmpfs(50)
    const libraryDir = join(disk, 'library')
    const engine = testEngine({ ollamaHost: await closedOllamaUrl(), libraryDir })
    await engine.ingest([smallFolder()])
    execFileSync('mount', ['-o', 'remount,ro', disk])
    await expectLibraryError(engine.ingest([join(CORPUS, 'epub')]), 'unwritable', /read-only.*can still be searched/)
    const reader = testEngine({ ollamaHost: await closedOllamaUrl(), libraryDir })
    expect((await reader.search('archive files')).hits.length).toBeGreaterThan(0)
    execFileSync('mount', ['-o', 'remount,rw', disk])
  }, 60_000)
})
