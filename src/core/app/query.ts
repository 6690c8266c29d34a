/**
 * One question, answered inside a query worker thread: retrieval over the worker's own LanceDB
 * read connection with the library's embedder, then the answer flow. Progress goes back through
 * the task's MessagePort (hits, then tokens, then the final answer, in order on one port); a
 * `stop` message on the same port aborts the work cooperatively, closing the model request.
 */
import { basename, extname } from 'node:path'
import type { MessagePort } from 'node:worker_threads'
import type { ErrorValue } from '../../shared/contract'
import { answerQuestion } from '../answer/answer'
import { buildMessages } from '../answer/prompt'
import { choiceForSpec, embedderCache } from '../embed/choice'
import type { Embedder } from '../embed/embedder'
import type { ChatMessage, GatewayStatus, ModelGateway } from '../llm/gateway'
import { createOllamaGateway } from '../llm/ollama'
import { hybridSearch, prepareSearch, type SearchResult } from '../retrieval/hybrid'
import type { LibraryMeta } from '../store/library'
import { LibraryReader } from '../store/reader'
import type { Answer, Hit } from '../types'
import { toErrorValue } from './errors'

/** What the app service sends a query worker. `port` must also be in the task's transferList. */
export interface QueryTask {
  libraryDir: string
  ollamaHost: string
  question: string
  /** Earlier turns of the chat, oldest first. */
  history: ChatMessage[]
  docIds?: string[]
  /** The chat model chosen in Settings; absent picks the first installed one. */
  model?: string
  k: number
  /** How long to wait for the model's first token; absent keeps the gateway's default. */
  firstTokenTimeoutMs?: number
  port: MessagePort
}

/** What the app service sends a query thread when it starts, to load the library before a question needs it. */
export interface PrepareTask {
  libraryDir: string
  /** Where the library's Ollama embedder is, for the rehearsal search (see `prepareLibrary`). */
  ollamaHost: string
  /** Hits a rehearsal asks for: as many as an answer does. */
  k: number
  /**
   * Told once the thread runs the task (then it takes questions too); a `stop` sent on it ends the
   * rehearsal at once (the app is closing). Must also be in the task's transferList.
   */
  port: MessagePort
}

/** Worker -> service, in this order: hits, token…, then done or failed. */
export type QueryProgress =
  | { type: 'hits'; hits: Hit[]; noMatch: boolean; notices: string[] }
  | { type: 'token'; text: string }
  | { type: 'done'; answer: Answer; notices: string[] }
  | { type: 'failed'; error: ErrorValue }

/** Service -> worker. */
export type QueryControl = { type: 'stop' }

/**
 * How long an answer's first look at Ollama (is it there, which models it has) may take before
 * Ollama is called unreachable. Longer than the gateway's 1.5 s default: while an import keeps
 * every core busy, a healthy Ollama was seen to take a second or more to be heard, and answers
 * then fell back to passages saying Ollama was not running. An answer is about to wait for the
 * model anyway, and a server that is not running still fails at once (connection refused).
 */
const STATUS_TIMEOUT_MS = 10_000

/** The gateway as answers use it: Ollama at `host`, with the answers' status limit. */
function answerGateway(host: string): ModelGateway {
  return createOllamaGateway({ host, statusTimeoutMs: STATUS_TIMEOUT_MS })
}

// One read connection per library and one embedder per choice for the life of the thread.
const readers = new Map<string, Promise<LibraryReader>>()
const embedders = embedderCache()
/** By library and Ollama host: the embedder its last search chose (see SearchOptions.likely). */
const lastEmbedders = new Map<string, Embedder>()

/** Answers the task's question, reporting through its port; never rejects. */
export async function runQuery(task: QueryTask): Promise<void> {
  const { port } = task
  const controller = new AbortController()
  port.on('message', (message: QueryControl) => {
    if (message?.type === 'stop') controller.abort()
  })
  const post = (progress: QueryProgress): void => port.postMessage(progress)
  try {
    const gateway = answerGateway(task.ollamaHost)
    // Which models Ollama has is asked while the library is searched, not after, and once the
    // search's own requests are out (see SearchOptions.dispatched): issuing two HTTP requests
    // takes the thread a millisecond or two, and the model server some work.
    let status: Promise<GatewayStatus> | undefined
    const askStatus = (): Promise<GatewayStatus> => {
      if (!status) {
        status = gateway.status(controller.signal)
        status.catch(() => undefined)
      }
      return status
    }
    const result = await search(task, controller.signal, askStatus)
    post({ type: 'hits', hits: result.hits, noMatch: result.noMatch, notices: result.notices })
    const answer = await answerQuestion({
      question: task.question,
      hits: result.hits,
      noMatch: result.noMatch,
      gateway,
      status: askStatus(),
      model: task.model,
      history: task.history,
      signal: controller.signal,
      firstTokenTimeoutMs: task.firstTokenTimeoutMs,
      onToken: (text) => post({ type: 'token', text })
    })
    post({ type: 'done', answer, notices: result.notices })
  } catch (error) {
    post({ type: 'failed', error: toErrorValue(error, 'answering a question') })
  } finally {
    port.close()
  }
}

/**
 * Opens the library on this thread and loads what its first search needs (see `prepareSearch`),
 * so that a question asked while the user was still typing does not wait for it. Questions asked
 * meanwhile share the open library. Never rejects: a question reports whatever is wrong.
 *
 * Then it rehearses questions: searches of documents' titles, embedded as a question is, and the
 * prompt built from their hits, then the look at which models Ollama has (no model is asked). A
 * first question otherwise pays for what that touches the first time: the connection to Ollama,
 * the index pages a real vector and real words reach, and compiling the search and prompt code.
 * Through `documind serve` at 96,000 chunks (builds alternated, four rounds), a first question
 * asked 3 s after launch had its first token 47–60 ms after it was sent with the rehearsal,
 * 106–138 ms without (the model's own delay taken off).
 */
export async function prepareLibrary(task: PrepareTask): Promise<PrepareOutcome> {
  const stop = new AbortController()
  task.port.on('message', (message: QueryControl) => {
    if (message?.type === 'stop') stop.abort()
  })
  task.port.postMessage('running')
  const limit = setTimeout(() => stop.abort(), REHEARSAL_LIMIT_MS)
  try {
    const reader = await readerFor(task.libraryDir)
    const prepared = await prepareSearch(reader)
    if (prepared && !stop.signal.aborted) await rehearse(reader, task, stop.signal).catch(() => undefined)
    return { prepared }
  } catch (error) {
    return { prepared: false, error: (error as Error).message }
  } finally {
    clearTimeout(limit)
    task.port.close()
  }
}

/**
 * Questions rehearsed. With one, the ten questions after it were still slower than the next ones
 * (median 46 against 36–37 ms to the first token at 96,000 chunks); with five, 42 against 34, and
 * the p95 of the first 30 was 48.5–50.2 ms against 49.0–71.1 (three rounds each).
 */
const REHEARSALS = 5
/** Longer than rehearsing takes (0.2–0.3 s at 96,000 chunks); a hung Ollama is not waited for. */
const REHEARSAL_LIMIT_MS = 10_000

async function rehearse(reader: LibraryReader, task: PrepareTask, signal: AbortSignal): Promise<void> {
  const titles: string[] = []
  for (const doc of (await reader.documentsById({ settingsRead: true })).values()) {
    const title = doc.status === 'ready' ? (doc.title || basename(doc.name, extname(doc.name))).trim() : ''
    if (title) titles.push(title)
  }
  // Titles from across the library, so that more of its index pages are read.
  const count = Math.min(REHEARSALS, titles.length)
  for (let i = 0; i < count && !signal.aborted; i++) {
    const question = titles[Math.floor((i * titles.length) / count)]
    const result = await search({ libraryDir: task.libraryDir, ollamaHost: task.ollamaHost, question, k: task.k }, signal, () => undefined)
    if (result.hits.length > 0) buildMessages(question, result.hits)
  }
  // Which models Ollama has, as an answer asks: the thread's first request through `fetch` loads
  // its machinery, 57–76 ms that the first answer's request to the model otherwise waits for.
  if (!signal.aborted) await answerGateway(task.ollamaHost).status(signal)
}

/** Whether the library was loaded (false for an empty one), and why not when it could not be. */
export interface PrepareOutcome {
  prepared: boolean
  error?: string
}

async function search(task: Pick<QueryTask, 'libraryDir' | 'ollamaHost' | 'question' | 'k' | 'docIds'>, signal: AbortSignal, dispatched: () => void): Promise<SearchResult> {
  const reader = await readerFor(task.libraryDir)
  // The embedder is chosen from the settings the search reads (one read of library.json a
  // question); the one chosen last time gets the question while they are read.
  const lastKey = `${task.libraryDir}\n${task.ollamaHost}`
  const embedder = async (meta: LibraryMeta): Promise<Embedder | null> => {
    lastEmbedders.delete(lastKey)
    const chosen = await embedderFor(meta, task.ollamaHost, signal)
    if (chosen) lastEmbedders.set(lastKey, chosen)
    return chosen
  }
  const options = { k: task.k, docIds: task.docIds, signal, dispatched, likely: lastEmbedders.get(lastKey) }
  try {
    return await hybridSearch(reader, embedder, task.question, options)
  } catch (error) {
    // A re-index drops and rebuilds the tables under this thread's cached handles: reopen once.
    // The old connection is closed later, as other questions in this thread may still be reading.
    const cached = readers.get(task.libraryDir)
    if (cached && (await cached) === reader) {
      readers.delete(task.libraryDir)
      setTimeout(() => reader.close(), 60_000).unref()
    }
    return await hybridSearch(await readerFor(task.libraryDir), embedder, task.question, options).catch(() => Promise.reject(error))
  }
}

function readerFor(dir: string): Promise<LibraryReader> {
  let reader = readers.get(dir)
  if (!reader) {
    reader = LibraryReader.open(dir)
    reader.catch(() => readers.delete(dir))
    readers.set(dir, reader)
  }
  return reader
}

/** The embedder that built the library (null for an empty library); Ollama ones are probed once per host. */
async function embedderFor(meta: LibraryMeta, host: string, signal: AbortSignal): Promise<Embedder | null> {
  return meta.embedder ? embedders(choiceForSpec(meta.embedder, host), signal) : null
}
