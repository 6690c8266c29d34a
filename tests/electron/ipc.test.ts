/**
 * The desktop host's IPC adapter over the real app service (a real library in a temporary folder,
 * a fake Ollama *server* on port 0). Only the webContents are fakes: objects with an id, a main
 * frame and a `send` that records, as Electron's would receive them. Two windows on one chat see
 * the same stream; foreign senders and malformed payloads get error values and reach nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppService, type AppService } from '../../src/core/app/service'
import { APP_ENTRY_URL, type IpcSender } from '../../src/main/hardening'
import { createInvokeListener, createWindowSessions, type WindowContents, type WindowSessions } from '../../src/main/ipc'
import { IPC_CHANNELS, REQUEST_NAMES, type EventName, type Result, type RoomEvent } from '../../src/shared/contract'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'

const CORPUS_FILE = resolve('../shared/data/corpus-mini/html/appetite.html')

/** A window's webContents as the adapter sees it: it records what main sends on which channel. */
class RecordingContents implements WindowContents {
  readonly sent: Array<{ channel: string; name: EventName; payload: unknown }> = []
  destroyed = false
  readonly mainFrame: { url: string; parent: null }
  constructor(
    readonly id: number,
    url = APP_ENTRY_URL
  ) {
    this.mainFrame = { url, parent: null }
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  send(channel: string, message: unknown): void {
    const { name, payload } = message as { name: EventName; payload: unknown }
    this.sent.push({ channel, name, payload: structuredClone(payload) })
  }
  /** The IPC event Electron would pass for a message from this window's top frame. */
  event(): IpcSender {
    return { sender: { id: this.id, mainFrame: this.mainFrame }, senderFrame: this.mainFrame }
  }
  room(chatId: string): RoomEvent[] {
    return this.sent.filter((s) => s.name === 'room.event').map((s) => s.payload as RoomEvent).filter((e) => e.chatId === chatId)
  }
}

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

let dir: string
let ollama: FakeOllama
let service: AppService
let sessions: WindowSessions
let invoke: (event: IpcSender, message: unknown) => Promise<Result<unknown>>
const refused: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'documind-ipc-'))
  ollama = await startFakeOllama({ reply: 'Python is an easy language to learn [1].' })
  const settingsPath = join(dir, 'settings.json')
  await writeFile(settingsPath, JSON.stringify({ ollamaHost: ollama.url, chatModel: 'llama3.2:latest', embedder: { kind: 'builtin' }, language: 'en', theme: 'system' }))
  service = await createAppService({ libraryDir: join(dir, 'library'), settingsPath, host: 'desktop', openFile: async () => {}, pickPaths: async () => [] })
  sessions = createWindowSessions(service)
  invoke = createInvokeListener(sessions, service, (line) => refused.push(line))
})

afterAll(async () => {
  sessions?.closeAll()
  await service?.close()
  await ollama?.close()
  await rm(dir, { recursive: true, force: true })
})

const request = (contents: RecordingContents, name: string, input: unknown = {}) => invoke(contents.event(), { name, input })
const codeOf = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code)

describe('IPC adapter over the real service', () => {
  it('streams one answer to both windows on the chat, on the contract event channel', async () => {
    const first = new RecordingContents(1)
    const second = new RecordingContents(2)
    sessions.open(first)
    sessions.open(second)

    expect(codeOf(await request(first, 'library.import', { paths: [CORPUS_FILE] }))).toBe('ok')
    await until(() => first.sent.find((s) => s.name === 'import.state' && (s.payload as { running: boolean; indexed: number }).running === false && (s.payload as { indexed: number }).indexed === 1), 'the import to finish')

    const created = await request(first, 'chats.create', { title: 'Two windows' })
    if (!created.ok) throw new Error(created.error.message)
    const chatId = (created.value as { id: string }).id
    expect(codeOf(await request(first, 'chat.subscribe', { chatId }))).toBe('ok')
    expect(codeOf(await request(second, 'chat.subscribe', { chatId }))).toBe('ok')

    const asked = await request(second, 'chat.ask', { chatId, question: 'Why is Python easy to learn?' })
    if (!asked.ok) throw new Error(asked.error.message)
    const { answerId } = asked.value as { answerId: string }
    const ends = await Promise.all(
      [first, second].map((window) => until(() => window.room(chatId).find((e) => (e.type === 'done' || e.type === 'error') && e.answerId === answerId), `the answer in window ${window.id}`))
    )
    expect(ends.map((e) => e.type)).toEqual(['done', 'done'])
    for (const end of ends) if (end.type === 'done') expect(end.message.text).toContain('Python is an easy language to learn')
    const types = (window: RecordingContents) => window.room(chatId).map((e) => e.type)
    expect(types(first)).toEqual(types(second))
    expect(types(first)).toContain('token')
    expect(types(first)[0]).toBe('question')
    expect(first.sent.every((s) => s.channel === IPC_CHANNELS.event)).toBe(true)
  })

  it('refuses a sender that is not one of our windows, or not showing the app', async () => {
    const stranger = new RecordingContents(99)
    const chatsBefore = await request(new RecordingContents(1), 'chats.list')
    expect(codeOf(await request(stranger, 'chats.create', { title: 'intruder' }))).toBe('forbidden')

    const navigatedAway = new RecordingContents(3, 'https://evil.example/')
    sessions.open(navigatedAway)
    expect(codeOf(await request(navigatedAway, 'chats.create', { title: 'intruder' }))).toBe('forbidden')

    const subframe = new RecordingContents(4)
    sessions.open(subframe)
    const frame = { url: APP_ENTRY_URL, parent: subframe.mainFrame }
    expect(codeOf(await invoke({ sender: { id: 4, mainFrame: subframe.mainFrame }, senderFrame: frame }, { name: 'chats.list', input: {} }))).toBe('forbidden')

    expect(await request(new RecordingContents(1), 'chats.list')).toEqual(chatsBefore)
    expect(refused.length).toBeGreaterThanOrEqual(3)
  })

  it('answers malformed envelopes and hostile payloads of every request with invalid-request', async () => {
    const window = new RecordingContents(1)
    for (const message of [undefined, null, 'chats.list', 42, [], { name: 5, input: {} }, { name: 'chats.list', input: {}, extra: true }, { name: 'x'.repeat(101), input: {} }]) {
      expect(codeOf(await invoke(window.event(), message)), JSON.stringify(message) ?? 'undefined').toBe('invalid-request')
    }
    for (const name of ['fs.readFile', '__proto__', 'constructor', 'toString', '']) {
      expect(codeOf(await request(window, name)), name).toBe('invalid-request')
    }
    const hostile: unknown[] = [42, 'input', true, [], [{}], { unexpected: 1 }, JSON.parse('{"__proto__":{"polluted":true}}'), { constructor: { prototype: {} } }]
    for (const name of REQUEST_NAMES) {
      for (const input of hostile) {
        expect(codeOf(await request(window, name, input)), `${name} ${JSON.stringify(input)}`).toBe('invalid-request')
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(codeOf(await request(window, 'chat.ask', { chatId: 'c', question: 'x'.repeat(8001) }))).toBe('invalid-request')
    expect(codeOf(await request(window, 'library.import', { paths: ['a'.repeat(5000)] }))).toBe('invalid-request')
    expect(codeOf(await request(window, 'settings.set', { ollamaHost: 'file:///etc/passwd' }))).toBe('invalid-request')
  })

  it('stops sending to a closed or destroyed window, and refuses its requests', async () => {
    const closing = new RecordingContents(5)
    const destroyed = new RecordingContents(6)
    sessions.open(closing)
    sessions.open(destroyed)
    destroyed.destroyed = true
    sessions.close(5)
    expect(codeOf(await request(closing, 'chats.list'))).toBe('forbidden')
    expect(codeOf(await request(new RecordingContents(1), 'chats.create', { title: 'after close' }))).toBe('ok')
    expect(closing.sent).toEqual([])
    expect(destroyed.sent).toEqual([])
  })

  it('gives a reloaded window a fresh session that has left its rooms', async () => {
    const window = new RecordingContents(7)
    const other = new RecordingContents(8)
    sessions.open(window)
    sessions.open(other)
    const created = await request(window, 'chats.create', { title: 'Reload' })
    if (!created.ok) throw new Error(created.error.message)
    const chatId = (created.value as { id: string }).id
    await request(window, 'chat.subscribe', { chatId })
    await request(other, 'chat.subscribe', { chatId })
    sessions.renew(window)
    const asked = await request(other, 'chat.ask', { chatId, question: 'What is Python?' })
    if (!asked.ok) throw new Error(asked.error.message)
    const { answerId } = asked.value as { answerId: string }
    await until(() => other.room(chatId).find((e) => e.type === 'done' && e.answerId === answerId), 'the answer')
    expect(window.room(chatId)).toEqual([])
  })
})
