/**
 * Ollama faults as a user meets them, through the app service that every host adapts: Ollama down
 * at start, dying mid-answer, hung, slow, HTTP 500s, a very slow first token, a malformed stream,
 * and a chat model chosen in Settings that is not installed (or cannot chat). For each: the words
 * that name the problem and what to do, the question kept in the chat (with the partial answer,
 * marked, when tokens had arrived), and recovery by itself once Ollama is back: the `ollama.status`
 * event flips without anyone asking, and the next question in the same room gets a generative answer.
 *
 * Real LanceDB, real corpus files, real query worker threads; the only fakes are the Ollama server
 * and, for a slow Ollama, a delaying proxy in front of it, both at the process edge. Ollama's status
 * is polled every 5 s, so a flip is waited for up to 15 s.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppService, AppServiceOptions } from '../../src/core/app'
import type { EventPayload, MessageValue, RoomEvent } from '../../src/shared/contract'
import { buildLibrary, call, copyLibrary, openService, removeDir, roomFor, tempDir, type RecordingSession } from '../app/helpers'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { answerShape, streamedText } from './support/room-stream'
import { startSlowProxy, type SlowProxy } from './support/slow-proxy'

const REPLY = 'Python is easier to read than shell scripts [1], and it grows with your program [2].'
const LONG_REPLY = 'Python reads like plain English and scales from scripts to programs [1] '.repeat(30)
const QUESTION = 'Why would I use Python instead of shell scripts?'
const FOLLOW_UP = 'Is Python also good for larger programs?'
const STATUS_FLIP_MS = 15_000
const PASSAGES = 'Here are the most relevant passages from your documents instead.'

let fake: FakeOllama
let library: string

beforeAll(async () => {
  fake = await startFakeOllama({ reply: REPLY, tokenDelayMs: 5 })
  library = await tempDir('documind-faults-')
  await buildLibrary(library, fake.url)
})
afterAll(async () => {
  await fake.close()
  await removeDir(library)
})

interface Room {
  service: AppService
  session: RecordingSession
  chatId: string
  dir: string
}
let room: Room | undefined
let proxy: SlowProxy | undefined

/** A copy of the library, the service on it (talking to `host`), and one session in a fresh chat room. */
async function openRoom(options: Partial<AppServiceOptions> = {}, host = fake.url): Promise<Room> {
  const dir = await copyLibrary(library)
  const { service, session } = await openService(dir, fake.url, options)
  // The copied library keeps the settings it was built with; another host is chosen as a user would.
  if (host !== fake.url) await call(service, session, 'settings.set', { ollamaHost: host })
  room = { service, session, chatId: await roomFor(service, session), dir }
  return room
}

afterEach(async () => {
  await room?.service.close()
  if (room) await removeDir(room.dir)
  room = undefined
  await proxy?.close()
  proxy = undefined
  fake.set({ reply: REPLY, tokenDelayMs: 5, firstTokenDelayMs: 0, fault: null })
  await fake.restart()
})

type End = Extract<RoomEvent, { type: 'done' | 'error' }>

async function ask(r: Room, question: string): Promise<{ answerId: string; end: End }> {
  const { answerId } = await call(r.service, r.session, 'chat.ask', { chatId: r.chatId, question })
  return { answerId, end: await r.session.answerEnd(answerId) }
}

/** Passages instead of a model answer: complete, extractive, cited, no tokens streamed. */
function expectPassages(r: Room, answerId: string, end: End): MessageValue {
  expect(end.type).toBe('done')
  const message = end.message!
  expect(message).toMatchObject({ role: 'assistant', status: 'complete', mode: 'extractive' })
  expect(message.citations.length).toBeGreaterThan(0)
  expect(message.notice).toContain(PASSAGES)
  expect(answerShape(r.session.room(r.chatId), answerId)).toEqual(['loading:searching', 'sources', 'loading:thinking', 'done'])
  return message
}

/** The chat as saved: the roles, statuses and texts a reopened window would show. */
async function saved(r: Room): Promise<MessageValue[]> {
  return call(r.service, r.session, 'chats.messages', { chatId: r.chatId })
}

/** The next question in the same room gets the model's answer, streamed, with its citations. */
async function expectGenerativeAgain(r: Room, model = 'llama3.2:latest'): Promise<void> {
  const { answerId, end } = await ask(r, FOLLOW_UP)
  expect(end.type).toBe('done')
  expect(end.message).toMatchObject({ status: 'complete', mode: 'generative', model, text: REPLY })
  expect(end.message!.citations.map((c) => c.n)).toEqual([1, 2])
  expect(answerShape(r.session.room(r.chatId), answerId)).toEqual(['loading:searching', 'sources', 'loading:thinking', 'token…', 'done'])
  expect(streamedText(r.session.room(r.chatId), answerId)).toBe(REPLY)
}

/**
 * Waits for an `ollama.status` event, among those after the first `from`, that `check` accepts:
 * nobody asks for it, so it can only come from the service noticing by itself.
 */
function statusEvent(r: Room, from: number, check: (status: EventPayload<'ollama.status'>) => boolean, what: string): Promise<EventPayload<'ollama.status'>> {
  return r.session.waitFor((s) => s.of('ollama.status').slice(from).find(check), what, STATUS_FLIP_MS)
}

/** How many status events the session has had so far. */
function statusCount(r: Room): number {
  return r.session.of('ollama.status').length
}

describe('Ollama faults, as the user meets them', () => {
  it('down at start: passages with a notice saying to start Ollama; when it starts, the status flips by itself and answers are generative again', async () => {
    await fake.stop()
    const r = await openRoom()
    const status = await call(r.service, r.session, 'ollama.status', {})
    expect(status).toMatchObject({ reachable: false, host: fake.url, error: { code: 'unreachable' } })
    expect(status.error!.message).toBe(`No Ollama server answered at ${fake.url}; start Ollama, or check the host in Settings.`)

    const { answerId, end } = await ask(r, QUESTION)
    const message = expectPassages(r, answerId, end)
    expect(message.notice).toContain('No language model was reachable.')
    expect(message.notice).toContain('start Ollama, or check the host in Settings')
    expect((await saved(r)).map((m) => [m.role, m.status, m.role === 'user' ? m.text : m.mode])).toEqual([
      ['user', 'complete', QUESTION],
      ['assistant', 'complete', 'extractive']
    ])

    const before = statusCount(r)
    await fake.restart()
    await statusEvent(r, before, (s) => s.reachable && s.error === null && s.models.length > 0, 'Ollama reported reachable, unasked')
    await expectGenerativeAgain(r)
  })

  it('dying mid-answer: the question and the words that arrived stay in the chat, marked failed, with what to check; status flips down and back by itself', async () => {
    const r = await openRoom()
    fake.set({ reply: LONG_REPLY, tokenDelayMs: 30 })
    const { answerId } = await call(r.service, r.session, 'chat.ask', { chatId: r.chatId, question: QUESTION })
    await r.session.waitFor((s) => s.room(r.chatId).filter((e) => e.type === 'token').length >= 5 || undefined, 'five tokens')
    const beforeDeath = statusCount(r)
    await fake.stop()

    const end = await r.session.answerEnd(answerId)
    expect(end.type).toBe('error')
    if (end.type !== 'error') return
    expect(end.error.code).toBe('model-error')
    expect(end.error.message).toContain('The answer broke off part-way; above is what arrived.')
    expect(end.error.message).toContain(`The connection to Ollama at ${fake.url} dropped before the answer was finished. Check that Ollama is still running.`)
    const partial = end.message!
    expect(partial).toMatchObject({ status: 'failed', mode: 'generative', notice: end.error.message })
    expect(partial.text.length).toBeGreaterThan(20)
    expect(LONG_REPLY.startsWith(partial.text)).toBe(true)
    expect(streamedText(r.session.room(r.chatId), answerId).startsWith(partial.text)).toBe(true)
    expect(answerShape(r.session.room(r.chatId), answerId)).toEqual(['loading:searching', 'sources', 'loading:thinking', 'token…', 'error'])

    const messages = await saved(r)
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'failed']
    ])
    expect(messages[0].text).toBe(QUESTION)
    expect(messages[1]).toMatchObject({ text: partial.text, notice: partial.notice })
    // Exported, the partial answer is marked as such too.
    const { markdown } = await call(r.service, r.session, 'chats.export', { chatId: r.chatId })
    expect(markdown).toContain(partial.text.trim())
    expect(markdown).toContain('_The answer failed before it was finished._')

    await statusEvent(r, beforeDeath, (s) => !s.reachable && s.error?.code === 'unreachable', 'Ollama reported gone, unasked')
    fake.set({ reply: REPLY, tokenDelayMs: 5 })
    const beforeBack = statusCount(r)
    await fake.restart()
    await statusEvent(r, beforeBack, (s) => s.reachable && s.error === null, 'Ollama reported back, unasked')
    await expectGenerativeAgain(r)
  }, 60_000)

  it('listening but not answering (hung): passages within the 10 s an answer allows, saying Ollama may be busy or stuck and to restart it; the status says so too, and clears by itself', async () => {
    const r = await openRoom()
    const before = statusCount(r)
    fake.set({ fault: { kind: 'hang', paths: ['/api/tags', '/api/version', '/api/chat'] } })
    const started = Date.now()
    const { answerId, end } = await ask(r, QUESTION)
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(expectPassages(r, answerId, end).notice).toContain(`Ollama at ${fake.url} did not answer within 10 s: it may be busy or stuck, or the host may be wrong. Restart Ollama, or check the host in Settings.`)
    const hung = await statusEvent(r, before, (s) => !s.reachable, 'the hang reported, unasked')
    expect(hung.error?.message).toContain('did not answer within 4 s')

    const beforeHealed = statusCount(r)
    fake.set({ fault: null })
    await statusEvent(r, beforeHealed, (s) => s.reachable && s.error === null, 'Ollama reported back, unasked')
    await expectGenerativeAgain(r)
  }, 60_000)

  it('slow to answer (2 s for its model list, as when it or the computer is busy): still the model’s answer, and never called unreachable', async () => {
    // Once, with a status limit of 1.5 s, answers during an import said Ollama was not running.
    proxy = await startSlowProxy(fake.url, { '/api/tags': 2_000 })
    const r = await openRoom({}, proxy.url)
    const { answerId, end } = await ask(r, QUESTION)
    expect(end.message).toMatchObject({ status: 'complete', mode: 'generative', text: REPLY })
    expect(answerShape(r.session.room(r.chatId), answerId)).toEqual(['loading:searching', 'sources', 'loading:thinking', 'token…', 'done'])
    expect(await call(r.service, r.session, 'ollama.status', {})).toMatchObject({ reachable: true, error: null })
    expect(r.session.of('ollama.status').filter((s) => !s.reachable)).toEqual([])
  })

  it("HTTP 500s, before or during an answer: Ollama's own words, and advice to try again or restart Ollama; generative again once it heals", async () => {
    const r = await openRoom()
    const crash = 'llama runner process has terminated: exit status 2'
    fake.set({ fault: { kind: 'http-error', status: 500, message: crash } })
    for (let i = 0; i < 2; i++) {
      const { answerId, end } = await ask(r, QUESTION)
      const message = expectPassages(r, answerId, end)
      expect(message.notice).toContain(`The model could not answer. Ollama at ${fake.url} reported an error: ${crash}. Try again; if it keeps happening, restart Ollama`)
    }

    // An error line in the middle of the stream (Ollama out of GPU memory): the words so far are kept.
    fake.set({ fault: { kind: 'error-line', afterTokens: 4, message: 'CUDA error: out of memory' } })
    const midway = await ask(r, QUESTION)
    expect(midway.end.type).toBe('error')
    expect(midway.end.message).toMatchObject({ status: 'failed', mode: 'generative', text: 'Python is easier to' })
    expect(midway.end.message!.notice).toContain('reported an error: CUDA error: out of memory. Try again; if it keeps happening, restart Ollama')

    // Every endpoint failing: the status says so by itself, and says so no more once Ollama heals.
    const beforeBroken = statusCount(r)
    fake.set({ fault: { kind: 'http-error', status: 500, message: 'internal error', paths: ['/api/tags', '/api/version', '/api/chat'] } })
    await statusEvent(r, beforeBroken, (s) => s.error?.code === 'server-error' && s.error.message.includes('restart Ollama'), 'the server error reported, unasked')
    const beforeHealed = statusCount(r)
    fake.set({ fault: null })
    await statusEvent(r, beforeHealed, (s) => s.reachable && s.error === null && s.models.length > 0, 'the server error cleared, unasked')

    const messages = await saved(r)
    expect(messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual([QUESTION, QUESTION, QUESTION])
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['complete', 'complete', 'failed'])
    await expectGenerativeAgain(r)
  }, 60_000)

  it('a very slow first token: "thinking" while the model loads, then passages saying it may still be loading; the request is closed, Stop works meanwhile, and a faster model answers', async () => {
    const r = await openRoom({ firstTokenTimeoutMs: 2_000 })
    fake.set({ firstTokenDelayMs: 60_000 })
    const started = Date.now()
    const slow = await ask(r, QUESTION)
    expect(Date.now() - started).toBeLessThan(20_000)
    const message = expectPassages(r, slow.answerId, slow.end)
    expect(message.notice).toContain('The model "llama3.2:latest" did not start answering within 2 s. It may still be loading or be too large for this computer; try again, or choose a smaller model.')
    await fake.settled()
    expect(fake.requests.filter((q) => q.path === '/api/chat').at(-1)).toMatchObject({ clientClosed: true })

    // Waiting is not the only way out: Stop ends it at once, keeping the question.
    const { answerId } = await call(r.service, r.session, 'chat.ask', { chatId: r.chatId, question: FOLLOW_UP })
    await r.session.waitFor((s) => s.room(r.chatId).some((e) => e.type === 'loading' && e.stage === 'thinking' && e.answerId === answerId) || undefined, 'thinking')
    await call(r.service, r.session, 'chat.stop', { chatId: r.chatId })
    const stopped = await r.session.answerEnd(answerId)
    expect(stopped.message).toMatchObject({ status: 'stopped', text: '', notice: 'Stopped before the answer was finished.' })

    // Slow, but within the limit: the answer is the model's, not cut short.
    fake.set({ firstTokenDelayMs: 500 })
    await expectGenerativeAgain(r)
    expect((await saved(r)).map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
      ['user', 'complete'],
      ['assistant', 'stopped'],
      ['user', 'complete'],
      ['assistant', 'complete']
    ])
  }, 60_000)

  it('a malformed stream: the words before it are kept and marked, with advice to try again or update Ollama; a single bad line is skipped; generative again after', async () => {
    const r = await openRoom()
    fake.set({ fault: { kind: 'malformed-line', afterTokens: 4, then: 'end' } })
    const broken = await ask(r, QUESTION)
    expect(broken.end.type).toBe('error')
    expect(broken.end.message).toMatchObject({ status: 'failed', mode: 'generative', text: 'Python is easier to' })
    const notice = `Ollama at ${fake.url} sent a response DocuMind could not read (the stream ended before it was complete). Try again; if it keeps happening, update Ollama.`
    expect(broken.end.message!.notice).toBe(`The answer broke off part-way; above is what arrived. ${notice}`)

    fake.set({ fault: { kind: 'malformed-line', afterTokens: 0, then: 'end' } })
    const garbled = await ask(r, QUESTION)
    expect(expectPassages(r, garbled.answerId, garbled.end).notice).toContain(notice)

    fake.set({ fault: { kind: 'malformed-line', afterTokens: 4, then: 'continue' } })
    const skipped = await ask(r, QUESTION)
    expect(skipped.end.message).toMatchObject({ status: 'complete', mode: 'generative', text: REPLY })

    fake.set({ fault: null })
    await expectGenerativeAgain(r)
    expect((await saved(r)).filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['failed', 'complete', 'complete', 'complete'])
  })

  it('an unknown model chosen in Settings, or one that cannot chat: passages with a notice naming it and what to do, no other model used behind the user’s back; pulling it brings its answers', async () => {
    const r = await openRoom()
    const wanted = 'llama9.9:70b'
    await call(r.service, r.session, 'settings.set', { chatModel: wanted })
    const chatsBefore = fake.requests.filter((q) => q.path === '/api/chat').length
    const { answerId, end } = await ask(r, QUESTION)
    const message = expectPassages(r, answerId, end)
    expect(message.notice).toContain(`The model "${wanted}" is not installed in Ollama. Pull it (ollama pull ${wanted}) or choose another model in Settings.`)

    // An embedding model chosen as the chat model: Ollama would only say "does not support chat".
    await call(r.service, r.session, 'settings.set', { chatModel: 'nomic-embed-text' })
    const embedding = await ask(r, QUESTION)
    expect(expectPassages(r, embedding.answerId, embedding.end).notice).toContain(
      'The model "nomic-embed-text:latest" is an embedding model: it turns text into vectors and cannot answer questions. Choose a chat model in Settings'
    )
    expect(fake.requests.filter((q) => q.path === '/api/chat')).toHaveLength(chatsBefore)
    await call(r.service, r.session, 'settings.set', { chatModel: wanted })

    try {
      const before = statusCount(r)
      await call(r.service, r.session, 'ollama.pull', { model: wanted })
      await r.session.waitFor((s) => s.of('ollama.pull').find((p) => p.model === wanted && p.done && p.status === 'success'), 'the pull to finish')
      await statusEvent(r, before, (s) => s.models.some((m) => m.name === wanted), 'the pulled model in the status')
      await expectGenerativeAgain(r, wanted)
    } finally {
      const pulled = fake.models.findIndex((m) => m.name === wanted)
      if (pulled >= 0) fake.models.splice(pulled, 1)
    }
  })
})
