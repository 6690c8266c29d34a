/**
 * The one contract between DocuMind's UI and its hosts (Electron IPC, the web host's WebSocket).
 * Every request and event name, with the zod schema of what it carries, lives here and nowhere
 * else. The receiving side of every message parses it with its schema. Runs anywhere: no Node,
 * no DOM, no Electron.
 */
import { z } from 'zod'

const id = z.string().min(1).max(200)
const text = (max: number) => z.string().max(max)

// ---------------------------------------------------------------- values

export const HitSchema = z.object({
  chunkId: id,
  docId: id,
  document: z.string(),
  path: z.string(),
  page: z.number().int().nullable(),
  headings: z.array(z.string()),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  score: z.number()
})
export type HitValue = z.infer<typeof HitSchema>

export const CitationSchema = HitSchema.extend({ n: z.number().int().positive() })
export type CitationValue = z.infer<typeof CitationSchema>

export const DocumentStatusSchema = z.enum(['queued', 'indexing', 'ready', 'failed'])

export const DocumentSchema = z.object({
  id: z.string(),
  path: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  format: z.string().nullable(),
  size: z.number(),
  status: DocumentStatusSchema,
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  chunks: z.number().int(),
  pages: z.number().int().nullable(),
  warnings: z.array(z.string()),
  updatedAt: z.number()
})
export type DocumentValue = z.infer<typeof DocumentSchema>

/** A message of a chat. An assistant message that did not finish keeps its text and is marked. */
export const MessageSchema = z.object({
  id,
  chatId: id,
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  createdAt: z.number(),
  /** 'streaming' only while an answer is being written; a crash leaves it 'interrupted'. */
  status: z.enum(['complete', 'streaming', 'stopped', 'failed', 'interrupted']),
  mode: z.enum(['generative', 'extractive']).optional(),
  citations: z.array(CitationSchema),
  notice: z.string().optional(),
  model: z.string().optional(),
  noMatch: z.boolean().optional()
})
export type MessageValue = z.infer<typeof MessageSchema>

export const ChatSchema = z.object({
  id,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messageCount: z.number().int(),
  /** The first words of the last message, for the chat list. */
  preview: z.string()
})
export type ChatValue = z.infer<typeof ChatSchema>

export const EmbedderChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin') }),
  z.object({ kind: z.literal('ollama'), model: z.string().min(1).max(200) })
])

export const SettingsSchema = z.object({
  /** Base URL of the Ollama server. Loopback by default; any http(s) URL the user chooses. */
  ollamaHost: z.string().url().max(500).refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL'),
  /** Chat model; null picks the first installed chat model. */
  chatModel: z.string().max(200).nullable(),
  embedder: EmbedderChoiceSchema,
  language: z.enum(['system', 'en', 'zh-TW']),
  theme: z.enum(['system', 'light', 'dark'])
})
export type SettingsValue = z.infer<typeof SettingsSchema>

export const ModelSchema = z.object({
  name: z.string(),
  size: z.number(),
  family: z.string().optional(),
  parameterSize: z.string().optional(),
  isEmbedding: z.boolean()
})

export const OllamaStatusSchema = z.object({
  reachable: z.boolean(),
  host: z.string(),
  version: z.string().optional(),
  models: z.array(ModelSchema),
  /** Why the model server cannot answer; null when it can. */
  error: z.object({ code: z.string(), message: z.string() }).nullable()
})
export type OllamaStatusValue = z.infer<typeof OllamaStatusSchema>

export const ImportStateSchema = z.object({
  running: z.boolean(),
  /**
   * While running: 'reading' files; 'indexing', every file read and the search indexes being
   * brought up to date; 'searchable', every imported document findable while the vector index,
   * which makes searching a large library fast, is still being built.
   */
  stage: z.enum(['reading', 'indexing', 'searchable']),
  filesDone: z.number().int(),
  filesTotal: z.number().int(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  chunks: z.number().int(),
  /** Files being read right now, each with how far it is (0 to 1: read, parsed, embedded). */
  current: z.array(z.object({ path: z.string(), fraction: z.number().min(0).max(1) })),
  /** Files that failed in this import, with reasons. */
  failures: z.array(z.object({ path: z.string(), code: z.string(), reason: z.string() })),
  /** Files left as they were: unchanged since the library read them, or copies of a document it has. */
  skipped: z.number().int(),
  indexed: z.number().int(),
  cancelled: z.boolean(),
  /** Set when the import itself stopped (e.g. the disk is full). */
  error: z.string().nullable()
})
export type ImportStateValue = z.infer<typeof ImportStateSchema>

// ---------------------------------------------------------------- errors

/** Stable error codes: the UI branches on these; people read the message. */
export const ErrorCodeSchema = z.enum([
  'invalid-request', // the payload failed its schema
  'forbidden', // the sender may not call this
  'not-found',
  'unsupported', // this host cannot do it (e.g. opening a file from a browser)
  'busy', // e.g. an import is already running
  'embedder-mismatch',
  'library-error',
  'model-error',
  'internal'
])
export type ErrorCode = z.infer<typeof ErrorCodeSchema>

export const ErrorValueSchema = z.object({ code: ErrorCodeSchema, message: z.string() })
export type ErrorValue = z.infer<typeof ErrorValueSchema>

/** Every request resolves to a result value; errors cross the boundary as values, never throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue }

// ---------------------------------------------------------------- requests

const empty = z.object({}).strict()

/** Every request: its name, what it takes, what it gives back. */
export const requests = {
  'library.list': { input: empty, output: z.array(DocumentSchema) },
  'library.import': { input: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(100_000) }).strict(), output: empty },
  'library.cancelImport': { input: empty, output: empty },
  'library.importState': { input: empty, output: ImportStateSchema },
  'library.remove': { input: z.object({ docIds: z.array(id).min(1).max(10_000) }).strict(), output: z.object({ removed: z.number().int() }) },
  'library.reindex': { input: empty, output: empty },
  /** A cited passage with the text around it, for the citation viewer. */
  'library.passage': {
    input: z.object({ docId: id, chunkId: id }).strict(),
    output: z.object({ document: z.string(), path: z.string(), page: z.number().int().nullable(), headings: z.array(z.string()), before: z.string(), text: z.string(), after: z.string() })
  },
  /** Opens the document in the system's viewer (desktop only). */
  'library.openFile': { input: z.object({ docId: id }).strict(), output: empty },
  /** Shows the system's file picker (desktop only) and imports what is chosen. */
  'library.pick': { input: z.object({ folders: z.boolean() }).strict(), output: z.object({ paths: z.array(z.string()) }) },

  'chats.list': { input: empty, output: z.array(ChatSchema) },
  'chats.create': { input: z.object({ title: text(200).optional() }).strict(), output: ChatSchema },
  'chats.rename': { input: z.object({ chatId: id, title: z.string().trim().min(1).max(200) }).strict(), output: ChatSchema },
  'chats.delete': { input: z.object({ chatId: id }).strict(), output: empty },
  'chats.messages': { input: z.object({ chatId: id }).strict(), output: z.array(MessageSchema) },
  'chats.search': {
    input: z.object({ query: z.string().trim().min(1).max(500) }).strict(),
    output: z.array(z.object({ chatId: z.string(), chatTitle: z.string(), messageId: z.string(), snippet: z.string() }))
  },
  'chats.export': { input: z.object({ chatId: id }).strict(), output: z.object({ fileName: z.string(), markdown: z.string() }) },

  /** Joins a chat room: this window receives the room's events until it unsubscribes or closes. */
  'chat.subscribe': { input: z.object({ chatId: id }).strict(), output: empty },
  'chat.unsubscribe': { input: z.object({ chatId: id }).strict(), output: empty },
  /** Asks a question in a room; the answer arrives as room events. */
  'chat.ask': {
    input: z.object({ chatId: id, question: z.string().trim().min(1).max(8000), docIds: z.array(id).max(1000).optional() }).strict(),
    output: z.object({ questionId: z.string(), answerId: z.string() })
  },
  /** Stops the answer being written in a room (and aborts the model request). */
  'chat.stop': { input: z.object({ chatId: id }).strict(), output: empty },

  'settings.get': { input: empty, output: SettingsSchema },
  'settings.set': { input: SettingsSchema.partial().strict(), output: SettingsSchema },
  'ollama.status': { input: empty, output: OllamaStatusSchema },
  /** Pulls a model; progress arrives as `ollama.pull` events. */
  'ollama.pull': { input: z.object({ model: z.string().trim().min(1).max(200) }).strict(), output: empty }
} as const

export type RequestName = keyof typeof requests
export type RequestInput<N extends RequestName> = z.input<(typeof requests)[N]['input']>
export type RequestOutput<N extends RequestName> = z.infer<(typeof requests)[N]['output']>
export const REQUEST_NAMES = Object.keys(requests) as RequestName[]

// ---------------------------------------------------------------- events

/** What a chat room publishes, in order: question, loading, sources, token…, then done or error. */
export const RoomEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('question'), chatId: id, message: MessageSchema }),
  z.object({ type: z.literal('loading'), chatId: id, answerId: id, stage: z.enum(['searching', 'thinking']) }),
  z.object({ type: z.literal('sources'), chatId: id, answerId: id, hits: z.array(HitSchema) }),
  z.object({ type: z.literal('token'), chatId: id, answerId: id, text: z.string() }),
  z.object({ type: z.literal('done'), chatId: id, answerId: id, message: MessageSchema }),
  z.object({ type: z.literal('error'), chatId: id, answerId: id, error: ErrorValueSchema, message: MessageSchema.optional() })
])
export type RoomEvent = z.infer<typeof RoomEventSchema>

export const events = {
  'room.event': RoomEventSchema,
  'import.state': ImportStateSchema,
  'library.changed': empty,
  'chats.changed': empty,
  'ollama.status': OllamaStatusSchema,
  'ollama.pull': z.object({
    model: z.string(),
    status: z.string(),
    completed: z.number().optional(),
    total: z.number().optional(),
    done: z.boolean(),
    error: z.string().optional()
  })
} as const

export type EventName = keyof typeof events
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>
export const EVENT_NAMES = Object.keys(events) as EventName[]

// ---------------------------------------------------------------- the client

/** A file dropped on the window, with its path inside a dropped folder ('' for a loose file). */
export interface DroppedFile {
  file: Blob & { readonly name: string }
  relativePath: string
}

/** What the UI talks to, whichever host serves it (`window.documind`, or the WebSocket client). */
export interface DocumindClient {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>>
  /** Listens to an event; returns the function that stops listening. */
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void
  /**
   * Turns dropped files into paths the host can import: on the desktop, the files' own paths; in a
   * browser, where a page cannot see paths, the files are uploaded to the web host first.
   */
  pathsForDropped(files: ReadonlyArray<DroppedFile>): Promise<Result<{ paths: string[] }>>
}

// ---------------------------------------------------------------- the desktop host's IPC

/**
 * Electron IPC channels of the desktop host: requests travel on one invoke channel and events on
 * one event channel, each carrying a contract name, so no request or event name is ever a channel
 * of its own (`ollama.status` is both a request and an event).
 */
export const IPC_CHANNELS = { invoke: 'documind:invoke', event: 'documind:event' } as const

/** Renderer -> main on `IPC_CHANNELS.invoke`; main parses `input` with the request's schema. */
export const IpcInvokeSchema = z.object({ name: z.string().max(100), input: z.unknown() }).strict()

/** Main -> renderer on `IPC_CHANNELS.event`; the preload parses `payload` with the event's schema. */
export const IpcEventSchema = z.object({ name: z.string().max(100), payload: z.unknown() }).strict()

// ---------------------------------------------------------------- the web host's wire

/** Routes of the web host (`documind serve`); both require the per-launch token (`?token=`). */
export const WEB_ROUTES = {
  /** The contract over a WebSocket. */
  socket: '/ws',
  /** POST one file's bytes, `?token=T&name=relative/path.pdf`; answers `{ path }`, a path to import. */
  upload: '/upload'
} as const

export const UploadResponseSchema = z.object({ path: z.string() })

/** Browser -> web host over the WebSocket. */
export const WireRequestSchema = z.object({ kind: z.literal('invoke'), id: z.number().int().nonnegative(), name: z.string().max(100), input: z.unknown() }).strict()
export type WireRequest = z.infer<typeof WireRequestSchema>

/** Web host -> browser: a request's result, or an event. */
export type WireMessage =
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; name: EventName; payload: unknown }

/** Parses a request's input; a failure becomes an `invalid-request` error value naming the field. */
export function parseRequest<N extends RequestName>(name: string, input: unknown): Result<{ name: N; input: z.infer<(typeof requests)[N]['input']> }> {
  if (!Object.hasOwn(requests, name)) return { ok: false, error: { code: 'invalid-request', message: `Unknown request "${String(name).slice(0, 100)}".` } }
  const parsed = requests[name as N].input.safeParse(input ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : ''
    return { ok: false, error: { code: 'invalid-request', message: `Invalid ${name} request${where}: ${issue?.message ?? 'malformed'}.` } }
  }
  return { ok: true, value: { name: name as N, input: parsed.data as z.infer<(typeof requests)[N]['input']> } }
}
