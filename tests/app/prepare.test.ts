/**
 * The query thread the app starts at launch loads the library before the first question, in the
 * worker as built (npm test builds first; alone: `npx electron-vite build`).
 */
import { existsSync, readdirSync, truncateSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PrepareOutcome } from '../../src/core/app/query'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { Engine } from '../../src/core/engine'
import { LibraryReader } from '../../src/core/store/reader'
import { threadPool } from '../../src/core/threads'
import { buildLibrary, copyLibrary, LIBRARY_FILES, removeDir, tempDir } from './helpers'

const CHUNKS = resolve('out/main/chunks')

let fake: FakeOllama
let library: string
let pool: Piscina
let workerFile = ''
const newPool = (): Piscina => threadPool({ filename: workerFile, maxThreads: 1 })
const dirs: string[] = []

beforeAll(async () => {
  const built = existsSync(CHUNKS) ? readdirSync(CHUNKS).find((name) => /^query\.worker-.*\.js$/.test(name)) : undefined
  if (!built) throw new Error('The app is not built: run `npx electron-vite build` (npm test does) before these tests.')
  workerFile = join(CHUNKS, built)
  pool = newPool()
  fake = await startFakeOllama()
  library = await tempDir()
  dirs.push(library)
  await buildLibrary(library, fake.url)
}, 120_000)
afterAll(async () => {
  await pool.destroy()
  await fake.close()
  await Promise.all(dirs.map(removeDir))
})

/**
 * Runs the launch task on `libraryDir`; resolves with its outcome and whether it said it was
 * running first. With `stopWhenRunning`, the task is told to stop once it says it runs.
 */
async function prepare(libraryDir: string, options: { stopWhenRunning?: boolean } = {}): Promise<{ outcome: PrepareOutcome; runningFirst: boolean }> {
  const { port1: port, port2: threadPort } = new MessageChannel()
  const first = new Promise<unknown>((settle) => {
    port.once('message', (message) => {
      if (options.stopWhenRunning) port.postMessage({ type: 'stop' })
      settle(message)
    })
  })
  const outcome = (await pool.run({ libraryDir, ollamaHost: fake.url, k: 6, port: threadPort }, { name: 'prepare', transferList: [threadPort] })) as PrepareOutcome
  // The port's message and the task's result come by different channels: on a busy machine the
  // result of a quick task (an empty library) can arrive first.
  const message = await Promise.race([first, new Promise((settle) => setTimeout(settle, 2_000, 'no message'))])
  port.close()
  return { outcome, runningFirst: message === 'running' }
}

/** The titles of a library's documents, as the rehearsal picks one (title, or file name without extension). */
async function titlesOf(dir: string): Promise<string[]> {
  const reader = await LibraryReader.open(dir)
  try {
    return [...(await reader.documentsById()).values()].map((doc) => (doc.title || doc.name.replace(/\.[^.]*$/, '')).trim())
  } finally {
    reader.close()
  }
}

describe('the query thread started at launch', () => {
  it('loads a library with documents', async () => {
    expect(await prepare(library)).toEqual({ outcome: { prepared: true }, runningFirst: true })
  })

  it('rehearses a question on a library of Ollama embeddings: a document title goes to its model, the model list is read, and a hung Ollama is not waited for', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const engine = new Engine({ libraryDir: dir, ollamaHost: fake.url })
    try {
      await engine.ingest(LIBRARY_FILES.slice(0, 2), { embedder: { kind: 'ollama', model: 'nomic-embed-text', host: fake.url } })
    } finally {
      await engine.close()
    }
    const embedded = (): unknown[] => fake.requests.filter((r) => r.path === '/api/embed').map((r) => (r.body as { input: unknown }).input)
    const before = embedded().length
    const requestsBefore = fake.requests.length
    expect(await prepare(dir)).toEqual({ outcome: { prepared: true }, runningFirst: true })
    const titles = new Set(await titlesOf(dir))
    expect(embedded().slice(before).some((input) => Array.isArray(input) && input.length === 1 && titles.has(String(input[0])))).toBe(true)
    // It also looks at which models Ollama has, as an answer does, and asks no model to answer.
    const asked = fake.requests.slice(requestsBefore).map((r) => r.path)
    expect(asked).toContain('/api/tags')
    expect(asked).not.toContain('/api/chat')

    // Ollama listening but not answering: the app closing stops the rehearsal at once.
    fake.set({ fault: { kind: 'hang', paths: ['/api/embed'] } })
    try {
      const started = Date.now()
      expect(await prepare(dir, { stopWhenRunning: true })).toEqual({ outcome: { prepared: true }, runningFirst: true })
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      fake.set({ fault: null })
    }
  }, 60_000)

  it('has nothing to load in an empty library', async () => {
    const empty = await tempDir()
    dirs.push(empty)
    expect(await prepare(empty)).toEqual({ outcome: { prepared: false }, runningFirst: true })
  })

  it('says why it could not load a damaged library, and leaves no request running when it ends', async () => {
    const damaged = await copyLibrary(library)
    dirs.push(damaged)
    const data = join(damaged, 'db/chunks.lance/data')
    for (const file of readdirSync(data)) truncateSync(join(data, file), 100)
    // A LanceDB request still running when its thread is stopped aborts the whole process (the
    // app stops its query threads when it closes): each round stops the thread right after.
    for (let round = 0; round < 5; round++) {
      const { outcome, runningFirst } = await prepare(damaged)
      expect(runningFirst).toBe(true)
      expect(outcome.prepared).toBe(false)
      expect(outcome.error).toMatch(/damaged.*re-index to rebuild it/)
      await pool.destroy()
      pool = newPool()
    }
  })
})
