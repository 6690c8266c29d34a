/**
 * Chats on disk: one append-only JSONL journal per chat in `<libraryDir>/chats/`, so a crash can
 * lose at most the line being written (a torn last line is ignored on reading). Lines:
 *
 *   {"t":"chat","id","title","titled","at"}  the chat was created (always the first line)
 *   {"t":"title","title","at"}               renamed (titled: the user chose it)
 *   {"t":"message","message","at","plain"?}  a message, whole; a later line with its id replaces it
 *   {"t":"text","id","text","at"}            text appended to a streaming answer (saved every ~500 ms)
 *
 * Everything is also held in memory: listing, reading and searching never touch the disk.
 *
 * An answer is Markdown, and the reader sees it rendered: search and the chat list's preview work on
 * its text as read ("**必須**先" reads "必須先"). Making that text takes the Markdown parser about a
 * millisecond per kilobyte, too slow to do for every answer of a long history when the user starts
 * searching, so a finished answer's line carries it (`plain`), made once when the answer is saved.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile, appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MessageSchema, type ChatValue, type MessageValue } from '../../shared/contract'

type ChatLine =
  | { t: 'chat'; id: string; title: string; titled: boolean; at: number }
  | { t: 'title'; title: string; at: number }
  | { t: 'message'; message: MessageValue; at: number; plain?: string }
  | { t: 'text'; id: string; text: string; at: number }

/** A chat as the store keeps it. */
export interface ChatRecord {
  readonly id: string
  title: string
  /** True once the user named it; until then the title follows the first question. */
  titled: boolean
  createdAt: number
  updatedAt: number
  messages: MessageValue[]
}

export const DEFAULT_CHAT_TITLE = 'New chat'
const TITLE_FROM_QUESTION_CHARS = 60
const PREVIEW_CHARS = 100
const FILE_NAME = /^[0-9a-f-]{36}\.jsonl$/

type MarkdownText = typeof import('../text/markdown').markdownText

export class ChatStore {
  private readonly chats = new Map<string, ChatRecord>()
  private readonly writes = new Map<string, Promise<void>>()
  // Each message's preview, and each answer's text as read, with the text they were made from (an
  // answer's text grows as it streams).
  private readonly previews = new WeakMap<MessageValue, { text: string; preview: string }>()
  private readonly plainTexts = new WeakMap<MessageValue, { text: string; plain: string }>()

  private constructor(
    readonly dir: string,
    // The Markdown parser (a chunk of its own, 21 ms to load) loads with the chats, not with every CLI command.
    private readonly textOf: MarkdownText
  ) {}

  /**
   * Loads every chat. An answer still 'streaming' was cut off by a crash or a kill: it becomes
   * 'interrupted', keeping the text saved so far. Journals mostly made of superseded lines are
   * rewritten compactly (atomically).
   */
  static async open(dir: string): Promise<ChatStore> {
    const store = new ChatStore(dir, (await import('../text/markdown')).markdownText)
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      if (!FILE_NAME.test(name)) continue
      const file = join(dir, name)
      const { chat, lines, plain } = readJournal(await readFile(file, 'utf8'))
      if (!chat || `${chat.id}.jsonl` !== name) continue
      store.chats.set(chat.id, chat)
      for (const message of chat.messages) {
        const made = plain.get(message)
        if (made !== undefined) store.plainTexts.set(message, { text: message.text, plain: made })
      }
      const cutOff = chat.messages.filter((m) => m.status === 'streaming')
      for (const message of cutOff) message.status = 'interrupted'
      if (cutOff.length > 0 || lines > 2 * chat.messages.length + 20) await writeAtomically(file, store.snapshotLines(chat))
    }
    return store
  }

  /** Every chat, the most recently active first. */
  list(): ChatValue[] {
    return [...this.chats.values()].sort((a, b) => b.updatedAt - a.updatedAt).map((chat) => this.summarise(chat))
  }

  get(chatId: string): ChatRecord | undefined {
    return this.chats.get(chatId)
  }

  summary(chatId: string): ChatValue | undefined {
    const chat = this.chats.get(chatId)
    return chat && this.summarise(chat)
  }

  async create(title?: string): Promise<ChatValue> {
    const now = Date.now()
    const chosen = title?.trim() ?? ''
    const chat: ChatRecord = { id: randomUUID(), title: chosen || DEFAULT_CHAT_TITLE, titled: chosen !== '', createdAt: now, updatedAt: now, messages: [] }
    this.chats.set(chat.id, chat)
    await this.append(chat.id, { t: 'chat', id: chat.id, title: chat.title, titled: chat.titled, at: now })
    return this.summarise(chat)
  }

  async rename(chatId: string, title: string): Promise<void> {
    const chat = this.mustGet(chatId)
    chat.title = title
    chat.titled = true
    await this.append(chatId, { t: 'title', title, at: Date.now() })
  }

  /** Deletes a chat and its journal; writes still queued for it are dropped. */
  async delete(chatId: string): Promise<void> {
    this.mustGet(chatId)
    this.chats.delete(chatId)
    await this.writes.get(chatId)
    this.writes.delete(chatId)
    await rm(this.fileOf(chatId), { force: true })
  }

  /** Adds a message, or replaces the one with the same id. */
  putMessage(message: MessageValue): Promise<void> {
    return this.putMessages(message.chatId, [message])
  }

  /**
   * Adds or replaces messages of one chat, in order, in one write (a question and its answer's
   * start). When the write fails, the chat is left as it was: a question the user was told could
   * not be saved must not show, nor an answer to it that will never come.
   */
  async putMessages(chatId: string, messages: MessageValue[]): Promise<void> {
    const chat = this.chats.get(chatId)
    if (!chat) return
    const { title, updatedAt } = chat
    const replaced: MessageValue[] = []
    chat.updatedAt = Date.now()
    for (const message of messages) {
      if (message.chatId !== chatId) throw new Error(`message ${message.id} is not of chat ${chatId}`)
      const index = chat.messages.findIndex((m) => m.id === message.id)
      if (index >= 0) replaced.push(chat.messages.splice(index, 1, message)[0])
      else chat.messages.push(message)
      if (!chat.titled && message.role === 'user' && chat.messages.length === 1) chat.title = titleFromQuestion(message.text)
    }
    try {
      await this.append(chatId, ...messages.map((message) => this.messageLine(message, chat.updatedAt)))
    } catch (error) {
      // Only what this call put is taken back; a later call's messages stay.
      chat.messages = chat.messages.flatMap((m) => {
        if (!messages.includes(m)) return [m]
        const previous = replaced.find((r) => r.id === m.id)
        return previous ? [previous] : []
      })
      if (!chat.titled && chat.messages.length === 0) chat.title = title
      chat.updatedAt = updatedAt
      throw error
    }
  }

  /** Appends streamed text to an answer being written. */
  async appendText(chatId: string, messageId: string, text: string): Promise<void> {
    const message = this.chats.get(chatId)?.messages.find((m) => m.id === messageId)
    if (!message || text === '') return
    message.text += text
    await this.append(chatId, { t: 'text', id: messageId, text, at: Date.now() })
  }

  /**
   * Case-insensitive substring search over every message as the reader sees it (Chinese and
   * Japanese match as typed; an answer's Markdown marks and citation markers are not in its text).
   */
  search(query: string, limit = 200): Array<{ chatId: string; chatTitle: string; messageId: string; snippet: string }> {
    const needle = foldForSearch(query.trim())
    const found: Array<{ chatId: string; chatTitle: string; messageId: string; snippet: string }> = []
    if (needle === '') return found
    for (const chat of [...this.chats.values()].sort((a, b) => b.updatedAt - a.updatedAt)) {
      for (const message of chat.messages) {
        const text = this.plainText(message)
        const haystack = foldForSearch(text)
        const at = haystack.indexOf(needle)
        if (at < 0) continue
        found.push({ chatId: chat.id, chatTitle: chat.title, messageId: message.id, snippet: snippetAround(haystack.length === text.length ? text : haystack, at, needle.length) })
        if (found.length >= limit) return found
      }
    }
    return found
  }

  /** Resolves once every write queued so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()])
  }

  private mustGet(chatId: string): ChatRecord {
    const chat = this.chats.get(chatId)
    if (!chat) throw new Error(`no chat ${chatId}`)
    return chat
  }

  private fileOf(chatId: string): string {
    return join(this.dir, `${chatId}.jsonl`)
  }

  /** Appends lines in one write; a chat's writes are made in order, one at a time. */
  private append(chatId: string, ...lines: ChatLine[]): Promise<void> {
    const text = lines.map((line) => JSON.stringify(line) + '\n').join('')
    const previous = this.writes.get(chatId) ?? Promise.resolve()
    const next = previous.then(() => (this.chats.has(chatId) ? appendFile(this.fileOf(chatId), text) : undefined))
    // A failed write must not block the chat's later writes; the caller still sees this one fail.
    this.writes.set(chatId, next.catch(() => undefined))
    return next
  }

  private summarise(chat: ChatRecord): ChatValue {
    const last = chat.messages[chat.messages.length - 1]
    return {
      id: chat.id,
      title: chat.title,
      createdAt: chat.createdAt,
      updatedAt: chat.updatedAt,
      messageCount: chat.messages.length,
      preview: last ? this.previewOf(last) : ''
    }
  }

  /** The start of a message as the reader sees it, without an answer's Markdown. */
  private previewOf(message: MessageValue): string {
    const made = this.previews.get(message)
    if (made?.text === message.text) return made.preview
    // An answer not yet read whole is read only as far as the preview needs.
    const preview = shorten(this.knownPlainText(message) ?? this.textOf(message.text, PREVIEW_CHARS * 2), PREVIEW_CHARS)
    this.previews.set(message, { text: message.text, preview })
    return preview
  }

  /** A message's text as the reader sees it: a question as typed, an answer without its Markdown. */
  private plainText(message: MessageValue): string {
    const known = this.knownPlainText(message)
    if (known !== undefined) return known
    const plain = this.textOf(message.text)
    this.plainTexts.set(message, { text: message.text, plain })
    return plain
  }

  private knownPlainText(message: MessageValue): string | undefined {
    if (message.role === 'user') return message.text
    const made = this.plainTexts.get(message)
    return made?.text === message.text ? made.plain : undefined
  }

  /** A message's journal line; a finished answer's carries its text as read, for search. */
  private messageLine(message: MessageValue, at: number): ChatLine {
    if (message.role === 'user' || message.status === 'streaming') return { t: 'message', message, at }
    return { t: 'message', message, at, plain: this.plainText(message) }
  }

  private snapshotLines(chat: ChatRecord): string {
    const lines: ChatLine[] = [{ t: 'chat', id: chat.id, title: chat.title, titled: chat.titled, at: chat.createdAt }]
    // The last line carries the chat's last activity, which orders the chat list.
    chat.messages.forEach((message, i) => lines.push(this.messageLine(message, i === chat.messages.length - 1 ? chat.updatedAt : message.createdAt)))
    return lines.map((line) => JSON.stringify(line) + '\n').join('')
  }
}

/**
 * Replays a journal. Lines that do not parse (a torn last line) are skipped. `plain` holds each
 * answer's text as read where its line had it (a later 'text' line makes it stale).
 */
function readJournal(text: string): { chat: ChatRecord | null; lines: number; plain: Map<MessageValue, string> } {
  let chat: ChatRecord | null = null
  let lines = 0
  const plain = new Map<MessageValue, string>()
  for (const raw of text.split('\n')) {
    if (!raw) continue
    let line: ChatLine
    try {
      line = JSON.parse(raw) as ChatLine
    } catch {
      continue
    }
    lines++
    if (line.t === 'chat') {
      chat ??= { id: line.id, title: line.title, titled: line.titled, createdAt: line.at, updatedAt: line.at, messages: [] }
      continue
    }
    if (!chat) continue
    if (line.t === 'title') {
      chat.title = line.title
      chat.titled = true
    } else if (line.t === 'message') {
      const parsed = MessageSchema.safeParse(line.message)
      if (!parsed.success) continue
      const index = chat.messages.findIndex((m) => m.id === parsed.data.id)
      if (index >= 0) chat.messages[index] = parsed.data
      else chat.messages.push(parsed.data)
      if (typeof line.plain === 'string') plain.set(parsed.data, line.plain)
      chat.updatedAt = Math.max(chat.updatedAt, line.at)
      if (!chat.titled && parsed.data.role === 'user' && chat.messages.length === 1) chat.title = titleFromQuestion(parsed.data.text)
    } else if (line.t === 'text') {
      const message = chat.messages.find((m) => m.id === line.id)
      if (message && typeof line.text === 'string') {
        message.text += line.text
        plain.delete(message)
      }
    }
  }
  return { chat, lines, plain }
}

/** A crash leaves the old file or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, file)
}

/** A chat is named after its first question until the user names it. */
export function titleFromQuestion(question: string): string {
  return shorten(question, TITLE_FROM_QUESTION_CHARS) || DEFAULT_CHAT_TITLE
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = Array.from(flat)
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : flat
}

/**
 * NFKC folds full-width letters and compatibility forms, so "ＲＵＳＴ" finds "rust"; a line break
 * reads as a space, as the snippets show it.
 */
function foldForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ')
}

function snippetAround(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 40)
  const end = Math.min(text.length, at + length + 60)
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`
}
