/**
 * The app service: the transport-agnostic heart that both hosts adapt (Electron IPC in src/main,
 * the WebSocket in src/server). Every request of the contract is parsed by its schema and answered
 * with a Result; events go out through the broker to the sessions that should see them.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import type { z } from 'zod'
import queryWorkerPath from '../../workers/query.worker?modulePath'
import { parseRequest, type RequestName, type RequestOutput, type Result, type requests, type SettingsValue } from '../../shared/contract'
import { Engine } from '../engine'
import { parseHeadings } from '../retrieval/hybrid'
import { ensureLanceEnvironment } from '../store/lance'
import { threadPool } from '../threads'
import { AnswerRooms, HITS_WANTED } from './answers'
import { Broker, type AppSession } from './broker'
import { exportChat } from './chat-export'
import { ChatStore } from './chat-store'
import { AppError, toErrorValue } from './errors'
import { ImportRunner } from './imports'
import { ModelPulls } from './model-pulls'
import { OllamaMonitor } from './ollama-monitor'
import { passageInContext } from './passage'
import type { PrepareTask, QueryControl } from './query'
import { SettingsStore } from './settings'

export type { AppSession } from './broker'

/** What a host gives the app service. */
export interface AppServiceOptions {
  /** The library folder: LanceDB tables, the import queue, and `chats/`. */
  libraryDir: string
  /** The settings JSON file; defaults apply when it is absent. */
  settingsPath: string
  host: 'desktop' | 'web'
  /** Opens a file in the system's viewer (desktop only); absent -> 'unsupported'. */
  openFile?: (path: string) => Promise<void>
  /** Shows the system's file picker (desktop only); absent -> 'unsupported'. */
  pickPaths?: (folders: boolean) => Promise<string[]>
  /**
   * How long an answer waits for the model's first token before it quotes the best passages
   * instead, saying why. Default: the gateway's 120 s, since a large model can take that long to
   * load; a host (or a test) that knows its models load faster can say so.
   */
  firstTokenTimeoutMs?: number
}

/** The app as a host sees it: sessions connect, send requests, and receive events. */
export interface AppService {
  /** Registers a session for events; returns the function that disconnects it (leaving every room). */
  connect(session: AppSession): () => void
  /** Parses and answers one request. Never throws: every failure is an error value. */
  handle(session: AppSession, name: string, input: unknown): Promise<Result<unknown>>
  /** Stops answers and imports (saving what they had), then releases threads and files. */
  close(): Promise<void>
}

type Input<N extends RequestName> = z.infer<(typeof requests)[N]['input']>
type Handlers = { [N in RequestName]: (input: Input<N>, session: AppSession) => Promise<RequestOutput<N>> }

const QUERY_THREADS = 2
/** Answering mostly waits on the model, so one thread serves several rooms at once. */
const ANSWERS_PER_THREAD = 4

/**
 * Starts a query thread at launch that loads the library (see `prepareLibrary`), so that a
 * question typed meanwhile finds it ready: 0.6 s less to the first token at 96,000 chunks.
 * `running` resolves once the thread runs; questions are sent to the pool only then, because one
 * sent while the thread is still starting makes the pool start a second thread, and both load the
 * library. `prepared` settles when the task ends: the pool is not stopped before, since stopping
 * a thread in the middle of a LanceDB request aborts the process. `stop` cuts its rehearsal short.
 */
function startQueryThread(pool: Piscina, libraryDir: string, ollamaHost: string): { running: Promise<void>; prepared: Promise<unknown>; stop: () => void } {
  const { port1: port, port2: threadPort } = new MessageChannel()
  const prepared = pool.run({ libraryDir, ollamaHost, k: HITS_WANTED, port: threadPort } satisfies PrepareTask, { name: 'prepare', transferList: [threadPort] })
  // A thread that could not start fails the questions sent to it, which say so.
  const settled = prepared.catch(() => undefined).finally(() => port.close())
  const running = new Promise<void>((resolve) => {
    port.once('message', () => resolve())
    void settled.then(() => resolve())
  })
  return { running, prepared: settled, stop: () => port.postMessage({ type: 'stop' } satisfies QueryControl) }
}

export async function createAppService(options: AppServiceOptions): Promise<AppService> {
  ensureLanceEnvironment()
  const { libraryDir } = options
  const settings = await SettingsStore.open(options.settingsPath)
  const chats = await ChatStore.open(join(libraryDir, 'chats'))
  const engine = new Engine({ libraryDir, ollamaHost: settings.get().ollamaHost })
  const broker = new Broker()
  const pool = threadPool({
    filename: queryWorkerPath,
    minThreads: 0,
    maxThreads: QUERY_THREADS,
    concurrentTasksPerWorker: ANSWERS_PER_THREAD,
    // With `sync` atomics an idle thread's event loop stands still, so it never sees Ollama close a
    // kept-alive socket, and the next question, asking for the model list at once, writes into the
    // dead socket ("other side closed"). `async` keeps the loop turning between questions.
    atomics: 'async',
    idleTimeout: 300_000
  })
  const queryThread = startQueryThread(pool, libraryDir, settings.get().ollamaHost)
  const chatsChanged = (): void => broker.broadcast('chats.changed', {})
  const currentSettings = (): SettingsValue => settings.get()
  const answers = new AnswerRooms({ libraryDir, pool, queryThread: queryThread.running, chats, broker, settings: currentSettings, chatsChanged, firstTokenTimeoutMs: options.firstTokenTimeoutMs })
  const imports = new ImportRunner({ engine, libraryDir, settings: currentSettings, broadcast: (name, payload) => broker.broadcast(name, payload) })
  const monitor = new OllamaMonitor(() => settings.get().ollamaHost, (status) => broker.broadcast('ollama.status', status))
  const pulls = new ModelPulls(() => settings.get().ollamaHost, (name, payload) => broker.broadcast(name, payload), () => void monitor.check())
  monitor.start()
  if (await engine.hasPendingImport()) imports.import([])

  const chatOf = (chatId: string): NonNullable<ReturnType<ChatStore['get']>> => {
    const chat = chats.get(chatId)
    if (!chat) throw new AppError('not-found', 'This chat no longer exists. Choose another chat or start a new one.')
    return chat
  }
  const documentOf = async (docId: string): Promise<Awaited<ReturnType<Engine['documents']>>[number]> => {
    const doc = (await engine.documents()).find((d) => d.id === docId)
    if (!doc) throw new AppError('not-found', 'This document is no longer in the library. It may have been removed; import it again to use it.')
    return doc
  }

  const handlers: Handlers = {
    'library.list': async () => (await engine.documents()).map((doc) => ({ ...doc, warnings: [...doc.warnings] })),
    'library.import': async ({ paths }) => {
      imports.import(paths)
      return {}
    },
    'library.cancelImport': async () => {
      imports.cancel()
      return {}
    },
    'library.importState': async () => imports.snapshot(),
    'library.remove': async ({ docIds }) => {
      if (imports.isReindexing()) throw new AppError('busy', 'The library is being re-indexed. Remove documents once it has finished.')
      const known = new Set((await engine.documents()).map((doc) => doc.id).filter(Boolean))
      const missing = docIds.filter((docId) => !known.has(docId))
      if (missing.length > 0) throw new AppError('not-found', `${missing.length === 1 ? 'One document is' : `${missing.length} documents are`} no longer in the library; refresh the list and try again.`)
      const removed = await engine.remove(docIds)
      broker.broadcast('library.changed', {})
      return { removed: removed.length }
    },
    'library.reindex': async () => {
      imports.reindex()
      return {}
    },
    'library.passage': async ({ docId, chunkId }) => {
      const doc = await documentOf(docId)
      const passage = passageInContext(await engine.chunksOf(docId), chunkId)
      if (!passage) throw new AppError('not-found', 'This passage is no longer in the library (its document was changed or re-imported). Ask again to get fresh sources.')
      const { chunk, before, text, after } = passage
      return { document: doc.title || doc.name, path: doc.path, page: chunk.page ?? null, headings: parseHeadings(chunk.headings), before, text, after }
    },
    'library.openFile': async ({ docId }) => {
      const doc = await documentOf(docId)
      if (!options.openFile) throw new AppError('unsupported', `A browser cannot open files on this computer. The file is at ${doc.path}.`)
      await access(doc.path).catch(() => {
        throw new AppError('not-found', `${doc.path} is no longer there: it was moved or deleted.`)
      })
      await options.openFile(doc.path)
      return {}
    },
    'library.pick': async ({ folders }) => {
      if (!options.pickPaths) throw new AppError('unsupported', 'Choosing files this way works in the desktop app. In a browser, drop files and folders onto the page.')
      const paths = await options.pickPaths(folders)
      if (paths.length > 0) imports.import(paths)
      return { paths }
    },

    'chats.list': async () => chats.list(),
    'chats.create': async ({ title }) => {
      const chat = await chats.create(title)
      chatsChanged()
      return chat
    },
    'chats.rename': async ({ chatId, title }) => {
      chatOf(chatId)
      await chats.rename(chatId, title)
      chatsChanged()
      return chats.summary(chatId)!
    },
    'chats.delete': async ({ chatId }) => {
      chatOf(chatId)
      await answers.stopAndWait(chatId)
      await chats.delete(chatId)
      broker.closeRoom(chatId)
      chatsChanged()
      return {}
    },
    'chats.messages': async ({ chatId }) => chatOf(chatId).messages.map((message) => structuredClone(message)),
    'chats.search': async ({ query }) => chats.search(query),
    'chats.export': async ({ chatId }) => exportChat(chatOf(chatId)),

    'chat.subscribe': async ({ chatId }, session) => {
      chatOf(chatId)
      if (!broker.isConnected(session)) throw new AppError('forbidden', 'This window is not connected to DocuMind; reload it.')
      broker.join(session.id, chatId)
      return {}
    },
    'chat.unsubscribe': async ({ chatId }, session) => {
      broker.leave(session.id, chatId)
      return {}
    },
    'chat.ask': async ({ chatId, question, docIds }) => answers.ask(chatId, question, docIds),
    'chat.stop': async ({ chatId }) => {
      answers.stop(chatId)
      return {}
    },

    'settings.get': async () => settings.get(),
    'settings.set': async (patch) => {
      const before = settings.get().ollamaHost
      const next = await settings.update(patch)
      if (next.ollamaHost !== before) void monitor.check()
      return next
    },
    'ollama.status': async () => monitor.check(),
    'ollama.pull': async ({ model }) => {
      pulls.start(model)
      return {}
    }
  }

  let closing: Promise<void> | null = null
  return {
    connect(session) {
      broker.connect(session)
      return () => broker.disconnect(session.id)
    },
    async handle(session, name, input) {
      const parsed = parseRequest(name, input)
      if (!parsed.ok) return parsed
      if (closing) return { ok: false, error: { code: 'busy', message: 'DocuMind is closing.' } }
      const handler = handlers[parsed.value.name] as (input: unknown, session: AppSession) => Promise<unknown>
      try {
        return { ok: true, value: await handler(parsed.value.input, session) }
      } catch (error) {
        return { ok: false, error: toErrorValue(error, name) }
      }
    },
    close() {
      closing ??= (async () => {
        monitor.stop()
        pulls.stopAll()
        await answers.stopAll()
        await imports.close()
        queryThread.stop()
        await queryThread.prepared
        await pool.destroy()
        await engine.close()
        await chats.flush()
      })()
      return closing
    }
  }
}
