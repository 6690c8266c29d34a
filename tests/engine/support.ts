/** Shared set-up for engine tests: temporary library folders and the shared data. */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll } from 'vitest'
import { Engine } from '../../src/core/engine'

export const DATA = resolve(process.cwd(), '../shared/data')
export const CORPUS = join(DATA, 'corpus-mini')
export const BAD_INPUTS = join(DATA, 'bad-inputs')

/**
 * Clean-ups run after the test file, the last registered first. Vitest ignores an `afterAll` called
 * inside a running test, and the helpers below are mostly called there: their folders, engines
 * and mounts were left behind until they were kept here.
 */
const cleanups: Array<() => unknown> = []
afterAll(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup()
})

/** Runs `cleanup` after the test file, wherever it is called from (file, hook or test). */
export function afterFile(cleanup: () => unknown): void {
  cleanups.push(cleanup)
}

/** A temporary folder removed after the test file. */
export function tempDir(prefix = 'documind-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterFile(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The URL of a loopback port nothing listens on (it was free a moment ago): "Ollama is down". */
export async function closedOllamaUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return `http://127.0.0.1:${port}`
}

/** An engine on a fresh library, closed after the test file. */
export function testEngine(options: { ollamaHost: string; libraryDir?: string; ingestHeapMb?: number }): Engine {
  const engine = new Engine({ libraryDir: options.libraryDir ?? join(tempDir(), 'library'), ollamaHost: options.ollamaHost, ingestHeapMb: options.ingestHeapMb })
  afterFile(() => engine.close())
  return engine
}
