/**
 * Questions and answers in chat rooms. The question is saved before anything of its answer is
 * heard (the answer's search starts while it is written); the answer runs in a query worker and
 * streams to every session in the room as `loading` → `sources` → `loading` → `token`… → `done`
 * or `error`. The answer's text is saved as it streams (at least every ~500 ms), so a crash
 * leaves the question and the partial answer on disk. One answer per room at a time; any number
 * of rooms at once.
 */
import { randomUUID } from 'node:crypto'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import type { ErrorValue, MessageValue, RoomEvent, SettingsValue } from '../../shared/contract'
import type { ChatMessage } from '../llm/gateway'
import type { Answer } from '../types'
import type { Broker } from './broker'
import type { ChatStore } from './chat-store'
import { AppError, INTERNAL_MESSAGE } from './errors'
import type { QueryControl, QueryProgress, QueryTask } from './query'

const SAVE_EVERY_MS = 400
const HISTORY_MESSAGES = 6
/** Hits an answer is given (the launch task's rehearsals ask for as many, see service.ts). */
export const HITS_WANTED = 6

interface Running {
  answerId: string
  port: MessagePort
  finished: Promise<void>
}

export interface AnswerDeps {
  libraryDir: string
  pool: Piscina
  /** Resolves once the pool's first thread runs: questions wait for it (see service.ts). */
  queryThread?: Promise<void>
  chats: ChatStore
  broker: Broker
  settings: () => SettingsValue
  /** Called when a chat's list entry changes (new message, new title). */
  chatsChanged: () => void
  /** See AppServiceOptions.firstTokenTimeoutMs; absent keeps the gateway's default. */
  firstTokenTimeoutMs?: number
}

export class AnswerRooms {
  private readonly running = new Map<string, Running>()

  constructor(private readonly deps: AnswerDeps) {}

  /** Saves the question and starts answering it; the answer arrives as room events. */
  async ask(chatId: string, question: string, docIds?: string[]): Promise<{ questionId: string; answerId: string }> {
    const { chats, broker } = this.deps
    const chat = chats.get(chatId)
    if (!chat) throw new AppError('not-found', 'This chat no longer exists. Choose another chat or start a new one.')
    if (this.running.has(chatId)) throw new AppError('busy', 'An answer is still being written in this chat. Wait for it, or stop it, before asking again.')
    // Taken before the first await, so two quick asks cannot both start.
    const { port1: port, port2: workerPort } = new MessageChannel()
    let settle = (): void => undefined
    const entry: Running = { answerId: randomUUID(), port, finished: new Promise((resolve) => (settle = resolve)) }
    this.running.set(chatId, entry)
    try {
      const history = historyOf(chat.messages)
      const now = Date.now()
      const questionMessage: MessageValue = { id: randomUUID(), chatId, role: 'user', text: question, createdAt: now, status: 'complete', citations: [] }
      const answer: MessageValue = { id: entry.answerId, chatId, role: 'assistant', text: '', createdAt: now, status: 'streaming', citations: [] }
      const saved = chats.putMessages(chatId, [questionMessage, answer])
      const settings = this.deps.settings()
      const task: QueryTask = {
        libraryDir: this.deps.libraryDir,
        ollamaHost: settings.ollamaHost,
        question,
        history,
        docIds,
        model: settings.chatModel ?? undefined,
        k: HITS_WANTED,
        firstTokenTimeoutMs: this.deps.firstTokenTimeoutMs,
        port: workerPort
      }
      // The answer's task starts while the question is being written, not after: the write would
      // otherwise be on the way to the first token. Nothing of the answer is heard before the
      // question is saved (its progress waits in the port), and a question that cannot be saved
      // stops its task.
      const taskEnded = this.start(task)
      try {
        await saved
      } catch (error) {
        port.postMessage({ type: 'stop' } satisfies QueryControl)
        await taskEnded
        throw error
      }
      broker.publish({ type: 'question', chatId, message: questionMessage })
      this.deps.chatsChanged()
      void this.stream(answer, taskEnded, entry)
        .catch((error: unknown): RoomEvent => {
          console.error('documind: an answer could not be finished:', error)
          return { type: 'error', chatId, answerId: answer.id, error: { code: 'internal', message: INTERNAL_MESSAGE } }
        })
        .then((end) => {
          // The room is free before anyone hears the answer ended, so a question sent the moment
          // `done` arrives is not refused as busy (and a question sent then is not forgotten).
          if (this.running.get(chatId) === entry) this.running.delete(chatId)
          settle()
          broker.publish(end)
          this.deps.chatsChanged()
        })
      return { questionId: questionMessage.id, answerId: answer.id }
    } catch (error) {
      this.running.delete(chatId)
      port.close()
      settle()
      throw error
    }
  }

  /** Stops the answer being written in a room: the worker aborts the model request. */
  stop(chatId: string): void {
    this.running.get(chatId)?.port.postMessage({ type: 'stop' } satisfies QueryControl)
  }

  /** Stops the answer in a room (if any) and waits until it has saved what it had. */
  async stopAndWait(chatId: string): Promise<void> {
    const entry = this.running.get(chatId)
    this.stop(chatId)
    await entry?.finished
  }

  /** Stops every answer and waits until each has saved what it had. */
  async stopAll(): Promise<void> {
    const finished = [...this.running.entries()].map(([chatId, entry]) => {
      this.stop(chatId)
      return entry.finished
    })
    await Promise.all(finished)
  }

  /** Runs a query task; resolves with the error to report when its thread failed before it ended. */
  private start(task: QueryTask): Promise<ErrorValue | null> {
    return Promise.resolve(this.deps.queryThread)
      .then(() => this.deps.pool.run(task, { transferList: [task.port] }))
      .then(
        () => null,
        (error: unknown): ErrorValue => {
          // The thread died (out of memory, or the pool was destroyed) before the answer ended.
          console.error('documind: a query worker failed:', error)
          return { code: 'internal', message: INTERNAL_MESSAGE }
        }
      )
  }

  /** Streams the answer to the room and saves it; resolves with the event that ends it (done or error). */
  private async stream(answer: MessageValue, ran: Promise<ErrorValue | null>, entry: Running): Promise<Extract<RoomEvent, { type: 'done' | 'error' }>> {
    const { chats, broker } = this.deps
    const { chatId, id: answerId } = answer
    const publish = (event: RoomEvent): void => broker.publish(event)
    let unsaved = ''
    let saving: Promise<void> = Promise.resolve()
    const save = (): void => {
      const text = unsaved
      unsaved = ''
      saving = saving.then(() => chats.appendText(chatId, answerId, text)).catch((error: unknown) => console.error('documind: could not save a partial answer:', error))
    }
    const saver = setInterval(() => unsaved && save(), SAVE_EVERY_MS)

    publish({ type: 'loading', chatId, answerId, stage: 'searching' })
    let reported: ((result: Outcome) => void) | undefined
    const outcome = new Promise<Outcome>((resolve) => (reported = resolve))
    entry.port.on('message', (progress: QueryProgress) => {
      if (progress.type === 'hits') {
        publish({ type: 'sources', chatId, answerId, hits: progress.hits })
        publish({ type: 'loading', chatId, answerId, stage: 'thinking' })
      } else if (progress.type === 'token') {
        unsaved += progress.text
        publish({ type: 'token', chatId, answerId, text: progress.text })
      } else if (progress.type === 'done') reported?.({ answer: progress.answer, notices: progress.notices })
      else reported?.({ error: progress.error })
    })
    const taskEnded = ran.then((failure) => failure && reported?.({ error: failure }))
    const result = await outcome
    // The worker may still be closing its port; the answer is over once its task is.
    await taskEnded
    clearInterval(saver)
    entry.port.close()
    await saving

    if ('error' in result) {
      const failed: MessageValue = { ...answer, text: (chats.get(chatId)?.messages.find((m) => m.id === answerId)?.text ?? '') + unsaved, status: 'failed', notice: result.error.message }
      await chats.putMessage(failed).catch((error: unknown) => console.error('documind: could not save a failed answer:', error))
      return { type: 'error', chatId, answerId, error: result.error, message: failed }
    }
    const final = finalMessage(answer, result.answer, result.notices)
    await chats.putMessage(final).catch((error: unknown) => console.error('documind: could not save an answer:', error))
    if (final.status === 'failed') return { type: 'error', chatId, answerId, error: { code: 'model-error', message: final.notice ?? 'The model stopped answering.' }, message: final }
    return { type: 'done', chatId, answerId, message: final }
  }
}

type Outcome = { answer: Answer; notices: string[] } | { error: ErrorValue }

/** The saved message for an answer: the cleaned-up text, its citations, and how it ended. */
function finalMessage(start: MessageValue, answer: Answer, retrievalNotices: string[]): MessageValue {
  const notice = [answer.notice, ...retrievalNotices].filter(Boolean).join(' ')
  const message: MessageValue = {
    ...start,
    text: answer.answer,
    status: answer.interrupted ?? 'complete',
    mode: answer.mode,
    citations: answer.citations.map((c) => ({ ...c })),
    noMatch: answer.noMatch
  }
  if (notice) message.notice = notice
  if (answer.model) message.model = answer.model
  return message
}

/**
 * The last few turns, for the prompt. Extractive answers are left out: they are quoted passages,
 * not something the model said, and would crowd out the conversation within its budget.
 */
function historyOf(messages: MessageValue[]): ChatMessage[] {
  return messages
    .filter((m) => m.text.trim() !== '' && m.status !== 'streaming' && !(m.role === 'assistant' && m.mode !== 'generative'))
    .slice(-HISTORY_MESSAGES)
    .map((m) => ({ role: m.role, content: m.text }))
}
