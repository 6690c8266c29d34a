/**
 * Search across chats finds what the reader saw: an answer's Markdown marks and citation markers are
 * not in its text, a question is matched as typed. A finished answer's journal line carries that
 * text, so a reopened store searches a long history without parsing it again.
 */
import { randomUUID } from 'node:crypto'
import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChatStore } from '../../src/core/app/chat-store'
import type { MessageValue } from '../../src/shared/contract'
import { removeDir, tempDir } from './helpers'

let dir: string
beforeEach(async () => {
  dir = await tempDir('documind-chat-search-')
})
afterEach(async () => {
  await removeDir(dir)
})

function message(chatId: string, role: 'user' | 'assistant', text: string, status: MessageValue['status'] = 'complete'): MessageValue {
  return { id: randomUUID(), chatId, role, text, createdAt: Date.now(), status, citations: [] }
}

describe('search across chats', () => {
  it('matches an answer as it reads, and a question as typed', async () => {
    const store = await ChatStore.open(dir)
    const { id } = await store.create()
    const question = message(id, 'user', 'What is **kwargs in Python?')
    const answer = message(id, 'assistant', '建立 Debian 套件**必須**先安裝 `dh_make` [1]。\n\n- 再用 *dpkg-buildpackage* 建構 [2]')
    await store.putMessages(id, [question, answer])

    const found = store.search('必須先安裝 dh_make')
    expect(found).toEqual([{ chatId: id, chatTitle: 'What is **kwargs in Python?', messageId: answer.id, snippet: '建立 Debian 套件必須先安裝 dh_make。 再用 dpkg-buildpackage 建構' }])
    expect(store.search('dh_make。 再用').map((hit) => hit.messageId)).toEqual([answer.id])
    // Marks and markers are not in the answer as read; the question keeps what was typed.
    expect(store.search('**').map((hit) => hit.messageId)).toEqual([question.id])
    expect(store.search('[1]')).toEqual([])
    expect(store.list()[0].preview).toBe('建立 Debian 套件必須先安裝 dh_make。 再用 dpkg-buildpackage 建構')
    const more = message(id, 'user', 'And `**kwargs`\nin a call?')
    await store.putMessage(more)
    expect(store.list()[0].preview).toBe('And `**kwargs` in a call?')
    // A line break reads as a space, as in the snippet.
    expect(store.search('**KWARGS`  IN').map((hit) => [hit.messageId, hit.snippet])).toEqual([[more.id, 'And `**kwargs` in a call?']])
  })

  it('finds an answer while it streams, by the text so far', async () => {
    const store = await ChatStore.open(dir)
    const { id } = await store.create()
    const answer = message(id, 'assistant', '', 'streaming')
    await store.putMessages(id, [message(id, 'user', 'How?'), answer])
    await store.appendText(id, answer.id, 'First **install** ')
    expect(store.search('install the')).toEqual([])
    await store.appendText(id, answer.id, 'the tools.')
    expect(store.search('install the').map((hit) => hit.snippet)).toEqual(['First install the tools.'])
  })

  it('keeps a finished answer’s text as read in its journal line, and reads it back', async () => {
    const store = await ChatStore.open(dir)
    const { id } = await store.create()
    const answer = message(id, 'assistant', 'A **bold** claim [1].')
    await store.putMessages(id, [message(id, 'user', 'Claim?'), answer])
    await store.flush()
    const lines = (await readFile(join(dir, `${id}.jsonl`), 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.filter((line) => line.t === 'message').map((line) => line.plain)).toEqual([undefined, 'A bold claim.'])

    // What a reopened store searches is the stored text (made here unlike the Markdown to show it).
    await appendFile(join(dir, `${id}.jsonl`), JSON.stringify({ t: 'message', message: { ...answer, text: 'Markdown **source**' }, at: Date.now(), plain: 'the text as stored' }) + '\n')
    const reopened = await ChatStore.open(dir)
    expect(reopened.search('as stored').map((hit) => hit.snippet)).toEqual(['the text as stored'])
    expect(reopened.list()[0].preview).toBe('the text as stored')
  })

  it('reads an answer again when text came after its stored reading', async () => {
    const store = await ChatStore.open(dir)
    const { id } = await store.create()
    const answer = message(id, 'assistant', 'Start', 'streaming')
    await store.putMessages(id, [message(id, 'user', 'Go'), answer])
    await store.flush()
    const file = join(dir, `${id}.jsonl`)
    // A line with a stale reading, then streamed text: the crash left it 'streaming'.
    await appendFile(file, JSON.stringify({ t: 'message', message: answer, at: Date.now(), plain: 'stale reading' }) + '\n')
    await appendFile(file, JSON.stringify({ t: 'text', id: answer.id, text: ' and **more**', at: Date.now() }) + '\n')
    const reopened = await ChatStore.open(dir)
    expect(reopened.search('stale')).toEqual([])
    expect(reopened.search('start and more').map((hit) => hit.messageId)).toEqual([answer.id])
    // The interrupted answer was written down afresh, with its reading.
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.at(-1)).toMatchObject({ t: 'message', message: { id: answer.id, status: 'interrupted', text: 'Start and **more**' }, plain: 'Start and more' })
  })
})
