/**
 * The broker: a question's events reach every session in its room, in order, and no other room;
 * rooms answer at the same time; Stop really closes the model request; without Ollama the answer
 * is extractive. Real LanceDB, real corpus files, real worker threads, the fake Ollama server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppService } from '../../src/core/app'
import type { RoomEvent } from '../../src/shared/contract'
import { startFakeOllama, type FakeChatMessage, type FakeOllama } from '../support/fake-ollama'
import { buildLibrary, call, callError, copyLibrary, openService, RecordingSession, removeDir, roomFor, tempDir } from './helpers'

let fake: FakeOllama
let library: string
let service: AppService
let session: RecordingSession
let dir: string

beforeAll(async () => {
  fake = await startFakeOllama()
  library = await tempDir()
  await buildLibrary(library, fake.url)
})
afterAll(async () => {
  await fake.close()
  await removeDir(library)
})

async function open(): Promise<void> {
  dir = await copyLibrary(library)
  ;({ service, session } = await openService(dir, fake.url))
}
afterEach(async () => {
  await service?.close()
  await removeDir(dir)
  fake.set({ reply: 'This is a fake answer [1].', tokenDelayMs: 0, firstTokenDelayMs: 0, fault: null })
  await fake.restart()
})

const QUESTION = 'Why would I use Python instead of shell scripts?'
const types = (events: RoomEvent[]): string[] => events.map((e) => (e.type === 'loading' ? `loading:${e.stage}` : e.type))

describe('chat rooms', () => {
  it('gives two sessions in a room the same ordered stream, and a session in another room nothing', async () => {
    await open()
    fake.set({ reply: 'Python is simpler to use than shell scripts for large programs [1].', tokenDelayMs: 1 })
    const second = new RecordingSession()
    const elsewhere = new RecordingSession()
    service.connect(second)
    service.connect(elsewhere)
    const chatId = await roomFor(service, session)
    await call(service, second, 'chat.subscribe', { chatId })
    await roomFor(service, elsewhere)

    const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
    const end = await session.answerEnd(answerId)
    await second.answerEnd(answerId)

    const stream = session.room(chatId)
    expect(second.room(chatId)).toEqual(stream)
    expect(elsewhere.room()).toEqual([])
    const order = types(stream)
    expect(order.slice(0, 4)).toEqual(['question', 'loading:searching', 'sources', 'loading:thinking'])
    expect(order.at(-1)).toBe('done')
    expect(order.slice(4, -1).every((t) => t === 'token')).toBe(true)
    const tokens = stream.flatMap((e) => (e.type === 'token' ? [e.text] : []))
    expect(tokens.length).toBeGreaterThan(5)
    expect(tokens.join('')).toBe('Python is simpler to use than shell scripts for large programs [1].')

    expect(end.type).toBe('done')
    const message = end.message!
    expect(message).toMatchObject({ role: 'assistant', status: 'complete', mode: 'generative', model: 'llama3.2:latest' })
    expect(message.citations).toHaveLength(1)
    const sources = stream.find((e) => e.type === 'sources')!
    expect(sources.type === 'sources' && sources.hits[0].chunkId).toBe(message.citations[0].chunkId)
    expect(message.citations[0].path).toMatch(/appetite\.html$/)
  })

  it('answers in two rooms at the same time, each stream staying in its room', async () => {
    await open()
    fake.set({ reply: (messages) => (last(messages).includes('ownership') ? 'Ownership rules [1] '.repeat(8) : 'Python scripts [1] '.repeat(8)).trim(), tokenDelayMs: 15 })
    const [english, chinese] = [await roomFor(service, session), await roomFor(service, session)]
    const a = await call(service, session, 'chat.ask', { chatId: english, question: QUESTION })
    const b = await call(service, session, 'chat.ask', { chatId: chinese, question: 'What are the ownership rules? 所有權規則是什麼？' })
    const firstEnd = await Promise.race([session.answerEnd(a.answerId), session.answerEnd(b.answerId)])
    const other = firstEnd.answerId === a.answerId ? b.answerId : a.answerId
    // When the first answer ended, the other was already streaming: both were in flight together.
    const endIndex = session.room().indexOf(session.room().find((e) => e === firstEnd || (e.type === firstEnd.type && e.answerId === firstEnd.answerId))!)
    expect(session.room().slice(0, endIndex).some((e) => e.type === 'token' && e.answerId === other)).toBe(true)
    await session.answerEnd(other)
    const text = (chatId: string): string => session.room(chatId).flatMap((e) => (e.type === 'token' ? [e.text] : [])).join('')
    expect(text(english)).toMatch(/^Python scripts/)
    expect(text(english)).not.toMatch(/Ownership/)
    expect(text(chinese)).toMatch(/^Ownership rules/)
  })

  it('refuses a second question in a room while the first is being answered', async () => {
    await open()
    fake.set({ tokenDelayMs: 10, reply: 'A slow answer [1] '.repeat(10) })
    const chatId = await roomFor(service, session)
    const first = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
    const error = await callError(service, session, 'chat.ask', { chatId, question: 'And another?' })
    expect(error.code).toBe('busy')
    await session.answerEnd(first.answerId)
    const again = await call(service, session, 'chat.ask', { chatId, question: 'And another about Python?' })
    expect((await session.answerEnd(again.answerId)).type).toBe('done')
  })

  it('stops an answer: the model request is closed by the client, and the partial answer is kept as stopped', async () => {
    await open()
    fake.set({ tokenDelayMs: 40, reply: 'Python is an easy to learn, powerful programming language [1] '.repeat(20) })
    const chatId = await roomFor(service, session)
    const earlier = fake.requests.length
    const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
    const streamed = await session.waitFor((s) => s.room(chatId).filter((e) => e.type === 'token').length >= 3 || undefined, 'three tokens')
    expect(streamed).toBe(true)
    await call(service, session, 'chat.stop', { chatId })
    const end = await session.answerEnd(answerId)
    await fake.settled()

    expect(fake.requests.slice(earlier).filter((r) => r.path === '/api/chat')).toMatchObject([{ clientClosed: true, serverDropped: false }])
    expect(end.type).toBe('done')
    const message = end.message!
    expect(message.status).toBe('stopped')
    expect(message.text.length).toBeGreaterThan(0)
    expect('Python is an easy to learn, powerful programming language [1] '.repeat(20).startsWith(message.text)).toBe(true)
    expect(message.text.length).toBeLessThan(200)
    const saved = await call(service, session, 'chats.messages', { chatId })
    expect(saved.at(-1)).toMatchObject({ id: answerId, status: 'stopped', text: message.text })
  })

  it('answers extractively, with a notice and citations, when Ollama is down', async () => {
    await open()
    await fake.stop()
    const chatId = await roomFor(service, session)
    const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
    const end = await session.answerEnd(answerId)
    expect(end.type).toBe('done')
    expect(end.message).toMatchObject({ status: 'complete', mode: 'extractive' })
    expect(end.message!.notice).toMatch(/No language model was reachable/)
    expect(end.message!.citations.length).toBeGreaterThan(0)
    expect(session.room(chatId).some((e) => e.type === 'token')).toBe(false)
  })

  it('sends the earlier turns of the chat with the next question, to the model chosen in Settings', async () => {
    await open()
    fake.models.push({ name: 'qwen2.5:7b', family: 'qwen2', parameterSize: '7.6B', size: 4_683_087_332 })
    await call(service, session, 'settings.set', { chatModel: 'qwen2.5:7b' })
    const seen: FakeChatMessage[][] = []
    fake.set({ reply: (messages) => (seen.push(messages), 'Python has high-level data types [1].') })
    const chatId = await roomFor(service, session)
    const earlier = fake.requests.length
    const first = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
    await session.answerEnd(first.answerId)
    const second = await call(service, session, 'chat.ask', { chatId, question: 'Is Python also good for larger programs?' })
    await session.answerEnd(second.answerId)

    const prompt = seen[1]
    expect(prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(prompt[1].content).toBe(QUESTION)
    expect(prompt[2].content).toBe('Python has high-level data types.')
    expect(fake.requests.slice(earlier).filter((r) => r.path === '/api/chat').map((r) => (r.body as { model: string }).model)).toEqual(['qwen2.5:7b', 'qwen2.5:7b'])
    fake.models.pop()
  })
})

function last(messages: FakeChatMessage[]): string {
  return messages[messages.length - 1].content
}
