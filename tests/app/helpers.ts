/**
 * Test fixtures for the app service: a real library in a temporary folder (built once per test
 * file from real corpus files, then copied for each test that needs its own), sessions that record
 * what they receive, and a `call` that checks every answer against the contract's output schema.
 */
import { randomUUID } from 'node:crypto'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect } from 'vitest'
import { createAppService, type AppService, type AppServiceOptions, type AppSession } from '../../src/core/app'
import { requests, type EventName, type EventPayload, type RequestInput, type RequestName, type RequestOutput, type Result, type RoomEvent } from '../../src/shared/contract'

export const CORPUS = resolve('../shared/data/corpus-mini')
/** Two English pages and two chapters of the Rust book in Traditional Chinese. */
export const LIBRARY_FILES = [
  'html/appetite.html',
  'html/whatnow.html',
  'md/trpl-zh-tw/src/ch04-01-what-is-ownership.md',
  'md/trpl-zh-tw/src/ch03-04-comments.md'
].map((file) => join(CORPUS, file))

export interface ReceivedEvent {
  name: EventName
  payload: unknown
  at: number
}

/** A session (a window, a tab) that keeps every event it is sent. */
export class RecordingSession implements AppSession {
  readonly id = randomUUID()
  readonly events: ReceivedEvent[] = []
  private readonly waiters = new Set<() => void>()

  send<N extends EventName>(name: N, payload: EventPayload<N>): void {
    this.events.push({ name, payload: structuredClone(payload), at: Date.now() })
    for (const wake of this.waiters) wake()
  }

  /** Room events, optionally of one room. */
  room(chatId?: string): RoomEvent[] {
    return this.events.filter((e) => e.name === 'room.event').map((e) => e.payload as RoomEvent).filter((e) => !chatId || e.chatId === chatId)
  }

  of<N extends EventName>(name: N): Array<EventPayload<N>> {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<N>)
  }

  /** Resolves once `check` finds what it looks for in the events so far (or that arrive). */
  waitFor<T>(check: (session: RecordingSession) => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const attempt = (): boolean => {
        const found = check(this)
        if (found === undefined || found === false) return false
        this.waiters.delete(wake)
        clearTimeout(timer)
        resolvePromise(found)
        return true
      }
      const wake = (): void => void attempt()
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.name === 'room.event' ? (e.payload as RoomEvent).type : e.name))}`))
      }, timeoutMs)
      this.waiters.add(wake)
      attempt()
    })
  }

  /** The final event of an answer (done or error). */
  answerEnd(answerId: string): Promise<Extract<RoomEvent, { type: 'done' | 'error' }>> {
    return this.waitFor(
      (s) => s.room().find((e): e is Extract<RoomEvent, { type: 'done' | 'error' }> => (e.type === 'done' || e.type === 'error') && e.answerId === answerId),
      `the end of answer ${answerId}`
    )
  }

  /** The final import.state of a run (running false). */
  importFinished(after = 0): Promise<EventPayload<'import.state'>> {
    return this.waitFor((s) => s.events.slice(after).map((e) => e.payload as EventPayload<'import.state'>).find((p, i) => s.events[after + i].name === 'import.state' && !p.running), 'the end of the import')
  }
}

/** Calls a request, expects success, and checks the value against the contract's output schema. */
export async function call<N extends RequestName>(service: AppService, session: AppSession, name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await service.handle(session, name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`)
  return requests[name].output.parse(result.value) as RequestOutput<N>
}

/** Calls a request and returns its error value (failing the test if it succeeded). */
export async function callError(service: AppService, session: AppSession, name: string, input: unknown): Promise<Extract<Result<unknown>, { ok: false }>['error']> {
  const result = await service.handle(session, name, input)
  expect(result.ok, `${name} should have failed`).toBe(false)
  return (result as Extract<Result<unknown>, { ok: false }>).error
}

export async function tempDir(prefix = 'documind-app-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Opens a service on `libraryDir` talking to the Ollama at `ollamaHost`. */
export async function openService(libraryDir: string, ollamaHost: string, extra: Partial<AppServiceOptions> = {}): Promise<{ service: AppService; session: RecordingSession }> {
  const settingsPath = join(libraryDir, 'settings.json')
  await mkdir(libraryDir, { recursive: true })
  // A library opened before keeps the settings it was left with.
  await writeFile(settingsPath, JSON.stringify({ ollamaHost }), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  const service = await createAppService({ libraryDir, settingsPath, host: 'web', ...extra })
  const session = new RecordingSession()
  service.connect(session)
  return { service, session }
}

/** Builds a library of LIBRARY_FILES through the service, as a user dropping the files would. */
export async function buildLibrary(libraryDir: string, ollamaHost: string): Promise<void> {
  const { service, session } = await openService(libraryDir, ollamaHost)
  try {
    await call(service, session, 'library.import', { paths: LIBRARY_FILES })
    const state = await session.importFinished()
    expect(state).toMatchObject({ running: false, indexed: LIBRARY_FILES.length, error: null })
  } finally {
    await service.close()
  }
}

/** A copy of a built library, so a test can change it without touching the others. */
export async function copyLibrary(from: string): Promise<string> {
  const dir = await tempDir()
  await cp(from, dir, { recursive: true })
  return dir
}

/** A chat with `session` in its room. */
export async function roomFor(service: AppService, session: AppSession, title?: string): Promise<string> {
  const chat = await call(service, session, 'chats.create', title ? { title } : {})
  await call(service, session, 'chat.subscribe', { chatId: chat.id })
  return chat.id
}
