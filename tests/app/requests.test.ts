/**
 * Every request of the contract through the app service: bad input is refused for each name,
 * answers match the output schemas, and the library, settings and Ollama requests do what the
 * UI relies on (progress events, queued drops, passages in context, status changes, pulls).
 */
import { spawn } from 'node:child_process'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LibraryReader } from '../../src/core/store/reader'
import { REQUEST_NAMES, requests } from '../../src/shared/contract'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { buildLibrary, call, callError, copyLibrary, LIBRARY_FILES, openService, RecordingSession, removeDir, tempDir } from './helpers'

let fake: FakeOllama
let library: string
const dirs: string[] = []

beforeAll(async () => {
  fake = await startFakeOllama()
  library = await tempDir()
  await buildLibrary(library, fake.url)
})
afterAll(async () => {
  await fake.close()
  await Promise.all([library, ...dirs].map(removeDir))
})

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', () => resolve(child.pid!))
  })
}

async function fresh(name: 'copy' | 'empty'): Promise<string> {
  const dir = name === 'copy' ? await copyLibrary(library) : await tempDir()
  dirs.push(dir)
  return dir
}

describe('requests', () => {
  it('refuses a malformed payload for every request name with invalid-request, and an unknown name', async () => {
    const { service, session } = await openService(await fresh('empty'), fake.url)
    try {
      for (const name of REQUEST_NAMES) {
        for (const input of [{ unexpected: true }, [], 'text', 42]) {
          const error = await callError(service, session, name, input)
          expect(error.code, `${name} with ${JSON.stringify(input)}`).toBe('invalid-request')
          expect(error.message).toMatch(new RegExp(`Invalid ${name.replace('.', '\\.')} request`))
        }
      }
      expect(await callError(service, session, 'library.format', {})).toEqual({ code: 'invalid-request', message: 'Unknown request "library.format".' })
      expect((await callError(service, session, 'chat.ask', { chatId: 'x', question: '   ' })).code).toBe('invalid-request')
      expect((await callError(service, session, 'settings.set', { ollamaHost: 'file:///etc/passwd' })).code).toBe('invalid-request')
    } finally {
      await service.close()
    }
  })

  it('imports in the background: throttled progress, the final state, library.changed, and drops queued behind a running import', async () => {
    const { service, session } = await openService(await fresh('empty'), fake.url)
    try {
      await call(service, session, 'library.import', { paths: LIBRARY_FILES.slice(0, 2) })
      // Dropped while the first import runs: queued for the next run, not refused.
      await call(service, session, 'library.import', { paths: LIBRARY_FILES.slice(2) })
      const final = await session.importFinished()
      expect(final).toMatchObject({ running: false, indexed: 4, filesDone: 4, filesTotal: 4, failures: [], cancelled: false, error: null })
      const states = session.events.filter((e) => e.name === 'import.state')
      expect(states.filter((e) => !(e.payload as { running: boolean }).running)).toHaveLength(1)
      // At most ten a second: no two states closer than the throttle allows, except the final one.
      const times = states.slice(0, -1).map((e) => e.at)
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(90)
      for (const state of states) requests['library.importState'].output.parse(state.payload)
      expect(session.of('library.changed').length).toBeGreaterThan(0)
      expect(await call(service, session, 'library.importState', {})).toEqual(final)
      const docs = await call(service, session, 'library.list', {})
      expect(docs.map((d) => d.status)).toEqual(['ready', 'ready', 'ready', 'ready'])
    } finally {
      await service.close()
    }
  })

  it('reports files that fail with their reasons, and cancels', async () => {
    const dir = await fresh('empty')
    const broken = join(dir, 'broken.pdf')
    await writeFile(broken, '%PDF-1.7 this is not really a PDF')
    const { service, session } = await openService(dir, fake.url)
    try {
      await call(service, session, 'library.import', { paths: [broken] })
      const final = await session.importFinished()
      expect(final.failures).toMatchObject([{ path: broken, code: 'corrupt', reason: expect.stringMatching(/\w+/) }])
      const before = session.events.length
      await call(service, session, 'library.import', { paths: [join(process.cwd(), '../shared/data/corpus-mini/md')] })
      await call(service, session, 'library.cancelImport', {})
      const cancelled = await session.importFinished(before)
      expect(cancelled).toMatchObject({ running: false, cancelled: true, error: null })
      expect(cancelled.filesDone).toBeLessThan(cancelled.filesTotal || Infinity)
    } finally {
      await service.close()
    }
  })

  it('resumes an import left in the queue when it starts', async () => {
    const dir = await fresh('empty')
    const file = LIBRARY_FILES[0]
    const { size, mtimeMs } = await stat(file)
    await writeFile(join(dir, 'ingest-queue.jsonl'), JSON.stringify({ t: 'add', files: [{ path: file, size, mtime: mtimeMs }] }) + '\n')
    const { service, session } = await openService(dir, fake.url)
    try {
      expect(await session.importFinished()).toMatchObject({ running: false, indexed: 1 })
      expect((await call(service, session, 'library.list', {})).map((d) => d.path)).toEqual([file])
    } finally {
      await service.close()
    }
  })

  it('builds the indexes a dead writer left unbuilt when it starts, with nothing left in the queue', async () => {
    // A library whose import was killed after its last commit, while it built the indexes: every
    // file is written (the queue has nothing left), and the lock names a process that is gone.
    const dir = await fresh('copy')
    const reader = await LibraryReader.open(dir)
    try {
      const chunks = (await reader.chunks())!
      for (const index of await chunks.listIndices()) await chunks.dropIndex(index.name)
      expect(await chunks.listIndices()).toEqual([])
      await writeFile(join(dir, 'writer.dirty'), String(await deadPid()))
      const { service, session } = await openService(dir, fake.url)
      try {
        expect(await session.importFinished()).toMatchObject({ running: false, error: null })
        expect((await chunks.listIndices()).map((index) => index.columns.join(','))).toContain('search_text')
        expect(await call(service, session, 'library.list', {})).toHaveLength(LIBRARY_FILES.length)
      } finally {
        await service.close()
      }
    } finally {
      reader.close()
    }
  })

  it('shows a cited passage with the text around it, removes documents, and re-indexes', async () => {
    const { service, session } = await openService(await fresh('copy'), fake.url)
    try {
      const chatId = (await call(service, session, 'chats.create', {})).id
      await call(service, session, 'chat.subscribe', { chatId })
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: 'What is ownership in Rust? 所有權' })
      const citation = (await session.answerEnd(answerId)).message!.citations[0]
      const passage = await call(service, session, 'library.passage', { docId: citation.docId, chunkId: citation.chunkId })
      expect(passage).toMatchObject({ document: citation.document, path: citation.path, text: citation.text, headings: citation.headings })
      expect(passage.before.length + passage.after.length).toBeGreaterThan(200)
      expect(passage.before.length).toBeLessThanOrEqual(600)
      expect(passage.after.length).toBeLessThanOrEqual(600)
      expect((await callError(service, session, 'library.passage', { docId: citation.docId, chunkId: 'gone' })).code).toBe('not-found')

      const docs = await call(service, session, 'library.list', {})
      const changes = session.of('library.changed').length
      expect(await call(service, session, 'library.remove', { docIds: [docs[0].id] })).toEqual({ removed: 1 })
      expect(session.of('library.changed').length).toBe(changes + 1)
      expect(await call(service, session, 'library.list', {})).toHaveLength(3)
      expect((await callError(service, session, 'library.remove', { docIds: [docs[0].id] })).code).toBe('not-found')

      const before = session.events.length
      await call(service, session, 'library.reindex', {})
      expect((await callError(service, session, 'library.reindex', {})).code).toBe('busy')
      expect(await session.importFinished(before)).toMatchObject({ running: false, indexed: 3, error: null })
      // The query worker's read connection outlived the tables it had open; it still answers.
      const again = await call(service, session, 'chat.ask', { chatId, question: 'What is ownership in Rust? 所有權' })
      const end = await session.answerEnd(again.answerId)
      expect(end.type).toBe('done')
      expect(end.message!.citations.length).toBeGreaterThan(0)
    } finally {
      await service.close()
    }
  })

  it('opens files and shows the picker only where the host can, and reports a failing host call as internal', async () => {
    const dir = await fresh('copy')
    const web = await openService(dir, fake.url)
    const docId = (await call(web.service, web.session, 'library.list', {}))[0].id
    expect((await callError(web.service, web.session, 'library.openFile', { docId })).code).toBe('unsupported')
    expect((await callError(web.service, web.session, 'library.pick', { folders: true })).code).toBe('unsupported')
    await web.service.close()

    const opened: string[] = []
    const desktop = await openService(dir, fake.url, {
      host: 'desktop',
      openFile: async (path) => void opened.push(path),
      pickPaths: async (folders) => {
        if (folders) throw new Error('the dialog crashed')
        return [LIBRARY_FILES[0]]
      }
    })
    const { service, session } = desktop
    try {
      await call(service, session, 'library.openFile', { docId })
      expect(opened).toHaveLength(1)
      expect(await call(service, session, 'library.pick', { folders: false })).toEqual({ paths: [LIBRARY_FILES[0]] })
      await session.importFinished()
      const failure = await callError(service, session, 'library.pick', { folders: true })
      expect(failure.code).toBe('internal')
      expect(failure.message).not.toContain('the dialog crashed')
    } finally {
      await service.close()
    }
  })

  it('keeps settings across restarts, and re-checks Ollama when the host changes, publishing each change of status', async () => {
    const dir = await fresh('empty')
    const first = await openService(dir, fake.url)
    expect(await call(first.service, first.session, 'settings.get', {})).toEqual({ ollamaHost: fake.url, chatModel: null, embedder: { kind: 'builtin' }, language: 'system', theme: 'system' })
    await call(first.service, first.session, 'settings.set', { language: 'zh-TW', theme: 'dark', chatModel: 'llama3.2' })
    const up = await call(first.service, first.session, 'ollama.status', {})
    expect(up).toMatchObject({ reachable: true, host: fake.url, version: '0.12.6', error: null })
    expect(up.models.map((m) => [m.name, m.isEmbedding])).toEqual([
      ['llama3.2:latest', false],
      ['nomic-embed-text:latest', true]
    ])

    await fake.stop()
    const down = await call(first.service, first.session, 'ollama.status', {})
    expect(down).toMatchObject({ reachable: false, error: { code: 'unreachable' } })
    await fake.restart()
    const dead = 'http://127.0.0.1:9'
    await call(first.service, first.session, 'settings.set', { ollamaHost: dead })
    await first.session.waitFor((s) => s.of('ollama.status').find((st) => st.host === dead && !st.reachable), 'the status of the new host')
    await call(first.service, first.session, 'settings.set', { ollamaHost: fake.url })
    const statuses = await first.session.waitFor((s) => (s.of('ollama.status').at(-1)?.reachable ? s.of('ollama.status') : undefined), 'Ollama back')
    expect(statuses.map((st) => st.reachable)).toContain(false)
    await first.service.close()

    const second = await openService(dir, fake.url)
    try {
      expect(await call(second.service, second.session, 'settings.get', {})).toMatchObject({ language: 'zh-TW', theme: 'dark', chatModel: 'llama3.2' })
    } finally {
      await second.service.close()
    }
  })

  it('pulls a model, streaming progress to every session and ending with done', async () => {
    const { service, session } = await openService(await fresh('empty'), fake.url)
    const other = new RecordingSession()
    service.connect(other)
    fake.set({ pullDelayMs: 40 })
    try {
      await call(service, session, 'ollama.pull', { model: 'qwen2.5:0.5b' })
      const last = await other.waitFor((s) => s.of('ollama.pull').find((p) => p.done), 'the end of the pull')
      expect(last).toMatchObject({ model: 'qwen2.5:0.5b', status: 'success', done: true })
      expect(other.of('ollama.pull').some((p) => p.total && p.completed)).toBe(true)
      expect(session.of('ollama.pull')).toEqual(other.of('ollama.pull'))
      const status = await call(service, session, 'ollama.status', {})
      expect(status.models.map((m) => m.name)).toContain('qwen2.5:0.5b')

      fake.set({ pullable: [] })
      await call(service, session, 'ollama.pull', { model: 'no-such-model' })
      const failed = await session.waitFor((s) => s.of('ollama.pull').find((p) => p.done && p.model === 'no-such-model'), 'the failed pull')
      expect(failed.error).toMatch(/could not find "no-such-model"/)
    } finally {
      fake.set({ pullable: 'any', pullDelayMs: 0 })
      await service.close()
    }
  })

  it('lets a session join a room only once connected, and leaves every room when it disconnects', async () => {
    const { service, session } = await openService(await fresh('copy'), fake.url)
    try {
      const stranger = new RecordingSession()
      const chatId = (await call(service, session, 'chats.create', { title: 'Rooms' })).id
      expect((await callError(service, stranger, 'chat.subscribe', { chatId })).code).toBe('forbidden')
      expect((await callError(service, session, 'chat.subscribe', { chatId: 'no-such-chat' })).code).toBe('not-found')
      const disconnect = service.connect(stranger)
      await call(service, stranger, 'chat.subscribe', { chatId })
      disconnect()
      await call(service, session, 'chat.subscribe', { chatId })
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: 'Why Python instead of shell scripts?' })
      await session.answerEnd(answerId)
      expect(stranger.events).toEqual([])
    } finally {
      await service.close()
    }
  })
})
