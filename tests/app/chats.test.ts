/**
 * Chats persist: across closing and reopening the service, through a crash in the middle of an
 * answer, and past a journal line torn by one. Search across chats, and export with sources.
 */
import { appendFile, cp, mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { buildLibrary, call, callError, copyLibrary, openService, removeDir, roomFor, tempDir } from './helpers'

let fake: FakeOllama
let library: string
const dirs: string[] = []

beforeAll(async () => {
  fake = await startFakeOllama({ reply: 'Python is simpler than shell scripts [1].' })
  library = await tempDir()
  await buildLibrary(library, fake.url)
})
afterAll(async () => {
  await fake.close()
  await Promise.all([library, ...dirs].map(removeDir))
})

async function freshLibrary(): Promise<string> {
  const dir = await copyLibrary(library)
  dirs.push(dir)
  return dir
}

const QUESTION = 'Why would I use Python instead of shell scripts?'

describe('chats on disk', () => {
  it('keep their messages and citations when the service is closed and opened again', async () => {
    const dir = await freshLibrary()
    const first = await openService(dir, fake.url)
    const chatId = await roomFor(first.service, first.session)
    const { answerId } = await call(first.service, first.session, 'chat.ask', { chatId, question: QUESTION })
    await first.session.answerEnd(answerId)
    const before = await call(first.service, first.session, 'chats.messages', { chatId })
    await first.service.close()

    const second = await openService(dir, fake.url)
    try {
      const chats = await call(second.service, second.session, 'chats.list', {})
      expect(chats).toMatchObject([{ id: chatId, title: QUESTION, messageCount: 2, preview: 'Python is simpler than shell scripts.' }])
      const after = await call(second.service, second.session, 'chats.messages', { chatId })
      expect(after).toEqual(before)
      expect(after[1]).toMatchObject({ role: 'assistant', status: 'complete', text: 'Python is simpler than shell scripts [1].' })
      expect(after[1].citations).toHaveLength(1)
      expect(after[1].citations[0]).toMatchObject({ n: 1, document: expect.any(String), path: expect.stringMatching(/\.html$/) })
    } finally {
      await second.service.close()
    }
  })

  it('mark an answer cut off mid-stream (the process killed) as interrupted, keeping the question and the text saved so far', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    fake.set({ tokenDelayMs: 30, reply: 'Python is easier to read than shell scripts [1] '.repeat(30) })
    try {
      const chatId = await roomFor(service, session)
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
      const journal = join(dir, 'chats', `${chatId}.jsonl`)
      // Wait until a partial answer has reached the disk, then take the folder as a kill -9 would leave it.
      await until(async () => (await readFile(journal, 'utf8')).includes('"t":"text"'))
      const crashed = await tempDir()
      dirs.push(crashed)
      await cp(join(dir, 'chats'), join(crashed, 'chats'), { recursive: true })
      await call(service, session, 'chat.stop', { chatId })
      await session.answerEnd(answerId)

      const reopened = await openService(crashed, fake.url)
      try {
        const messages = await call(reopened.service, reopened.session, 'chats.messages', { chatId })
        expect(messages.map((m) => [m.role, m.status])).toEqual([
          ['user', 'complete'],
          ['assistant', 'interrupted']
        ])
        expect(messages[0].text).toBe(QUESTION)
        expect(messages[1].text.length).toBeGreaterThan(0)
        expect('Python is easier to read than shell scripts [1] '.repeat(30).startsWith(messages[1].text)).toBe(true)
      } finally {
        await reopened.service.close()
      }
    } finally {
      fake.set({ tokenDelayMs: 0, reply: 'Python is simpler than shell scripts [1].' })
      await service.close()
    }
  })

  it('survive a journal line torn by a crash', async () => {
    const dir = await freshLibrary()
    const first = await openService(dir, fake.url)
    const chatId = (await call(first.service, first.session, 'chats.create', { title: 'Notes' })).id
    await call(first.service, first.session, 'chats.rename', { chatId, title: 'Python notes' })
    await first.service.close()
    await appendFile(join(dir, 'chats', `${chatId}.jsonl`), '{"t":"title","title":"Half a li')

    const second = await openService(dir, fake.url)
    try {
      expect(await call(second.service, second.session, 'chats.list', {})).toMatchObject([{ id: chatId, title: 'Python notes', messageCount: 0 }])
    } finally {
      await second.service.close()
    }
  })

  it('are listed most recent first, titled by their first question until renamed, and deleted with their file', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    try {
      const older = await roomFor(service, session)
      const newer = await roomFor(service, session)
      const long = `${'What does the tutorial say about interactive mode and the interpreter? '.repeat(3)}`
      const asked = await call(service, session, 'chat.ask', { chatId: older, question: long })
      await session.answerEnd(asked.answerId)
      const list = await call(service, session, 'chats.list', {})
      expect(list.map((c) => c.id)).toEqual([older, newer])
      expect(list[0].title.length).toBeLessThanOrEqual(60)
      expect(list[0].title).toMatch(/^What does the tutorial say about interactive mode.*…$/)
      expect(list[1].title).toBe('New chat')

      const renamed = await call(service, session, 'chats.rename', { chatId: older, title: '  Interpreter  ' })
      expect(renamed.title).toBe('Interpreter')
      expect(session.of('chats.changed').length).toBeGreaterThan(0)

      await call(service, session, 'chats.delete', { chatId: older })
      expect((await call(service, session, 'chats.list', {})).map((c) => c.id)).toEqual([newer])
      expect(await readdir(join(dir, 'chats'))).toEqual([`${newer}.jsonl`])
      expect((await callError(service, session, 'chats.messages', { chatId: older })).code).toBe('not-found')
    } finally {
      await service.close()
    }
  })

  it('stop their answer when deleted mid-answer, leaving no file behind', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    fake.set({ tokenDelayMs: 30, reply: 'A long answer [1] '.repeat(50) })
    try {
      const chatId = await roomFor(service, session)
      const earlier = fake.requests.length
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
      await session.waitFor((s) => s.room(chatId).some((e) => e.type === 'token'), 'a token')
      await call(service, session, 'chats.delete', { chatId })
      expect(session.room(chatId).find((e) => e.type === 'done' && e.answerId === answerId)).toBeDefined()
      await fake.settled()
      expect(fake.requests.slice(earlier).find((r) => r.path === '/api/chat')?.clientClosed).toBe(true)
      expect(await readdir(join(dir, 'chats'))).toEqual([])
      expect(await call(service, session, 'chats.list', {})).toEqual([])
    } finally {
      fake.set({ tokenDelayMs: 0, reply: 'Python is simpler than shell scripts [1].' })
      await service.close()
    }
  })

  it('refuse a question that cannot be written, stopping the answer it started, and take the next one', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    // The answer's search starts while its question is written: the answer started for a
    // question that could not be written must not reach the model.
    fake.set({ firstTokenDelayMs: 500 })
    try {
      const chatId = await roomFor(service, session)
      const journal = join(dir, 'chats', `${chatId}.jsonl`)
      // A folder where the chat's journal should be: every write to it fails (EISDIR), even as root.
      await rm(journal, { force: true })
      await mkdir(journal)
      const earlier = fake.requests.length
      const error = await callError(service, session, 'chat.ask', { chatId, question: QUESTION })
      expect(error.code).toBe('internal')
      expect(session.room(chatId)).toEqual([])
      // Neither the refused question nor an answer that will never come stays in the chat.
      expect(await call(service, session, 'chats.messages', { chatId })).toEqual([])
      expect((await call(service, session, 'chats.list', {})).find((chat) => chat.id === chatId)).toMatchObject({ title: 'New chat', messageCount: 0 })

      await rm(journal, { recursive: true })
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
      expect(await session.answerEnd(answerId)).toMatchObject({ type: 'done' })
      expect(session.room(chatId)[0]).toMatchObject({ type: 'question', message: { text: QUESTION } })
      await fake.settled()
      const answered = fake.requests.slice(earlier).filter((r) => r.path === '/api/chat' && !r.clientClosed)
      expect(answered).toHaveLength(1)
    } finally {
      fake.set({ firstTokenDelayMs: 0 })
      await service.close()
    }
  })

  it('are searched across, case-insensitively and in Chinese', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    try {
      fake.set({ reply: (messages) => (messages.at(-1)!.content.includes('所有權') ? '所有權有三條規則 [1]。' : 'Python is simpler than shell scripts [1].') })
      const english = await roomFor(service, session)
      const chinese = await roomFor(service, session)
      const a = await call(service, session, 'chat.ask', { chatId: english, question: QUESTION })
      await session.answerEnd(a.answerId)
      const b = await call(service, session, 'chat.ask', { chatId: chinese, question: 'Rust 的所有權規則是什麼？' })
      await session.answerEnd(b.answerId)

      const shell = await call(service, session, 'chats.search', { query: 'SHELL scripts' })
      expect(shell.map((r) => r.chatId)).toContain(english)
      expect(shell.every((r) => r.chatId === english)).toBe(true)
      expect(shell[0].snippet.toLowerCase()).toContain('shell scripts')
      const rules = await call(service, session, 'chats.search', { query: '所有權' })
      expect(rules.map((r) => r.messageId)).toEqual([b.questionId, b.answerId])
      expect(rules[0]).toEqual({ chatId: chinese, chatTitle: 'Rust 的所有權規則是什麼？', messageId: b.questionId, snippet: 'Rust 的所有權規則是什麼？' })
      expect(await call(service, session, 'chats.search', { query: 'nothing like this anywhere' })).toEqual([])
    } finally {
      fake.set({ reply: 'Python is simpler than shell scripts [1].' })
      await service.close()
    }
  })

  it('export as Markdown with the sources of each answer: document, page and path', async () => {
    const dir = await freshLibrary()
    const { service, session } = await openService(dir, fake.url)
    try {
      const chatId = await roomFor(service, session)
      const { answerId } = await call(service, session, 'chat.ask', { chatId, question: QUESTION })
      const end = await session.answerEnd(answerId)
      const citation = end.message!.citations[0]
      const exported = await call(service, session, 'chats.export', { chatId })
      expect(exported.fileName).toBe('Why would I use Python instead of shell scripts_.md')
      expect(exported.markdown).toContain(`# ${QUESTION}`)
      expect(exported.markdown).toContain('Python is simpler than shell scripts [1].')
      expect(exported.markdown).toContain('**Sources**')
      expect(exported.markdown).toContain(`1. ${citation.document}`)
      expect(exported.markdown).toContain(`\`${citation.path}\``)
    } finally {
      await service.close()
    }
  })
})

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
