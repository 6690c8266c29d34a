/**
 * A fake Ollama *server*: node:http on 127.0.0.1, speaking the real HTTP API (docs/api.md of
 * ollama/ollama) closely enough that the real `ollama` npm client cannot tell the difference. Tests
 * and benchmarks drive the product through the real client against it, and switch on faults
 * (HTTP errors, broken streams, a server dying mid-answer, a server that never answers) to check
 * what the user sees. Dependency-free, and with zero model time by default.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fakeSize, fakeVector, hexDigest, showEntry, splitTokens, tagsEntry } from './fake-model'

/** A model the fake has "installed". */
export interface FakeModel {
  /** Full name with tag, e.g. "llama3.2:latest"; a name without a tag gets ":latest". */
  name: string
  family: string
  parameterSize: string
  size: number
  /** Embedding-only model (capabilities ["embedding"]); chat with it is refused like Ollama does. */
  embedding?: boolean
}

/** A chat message as it arrives in a request body. */
export interface FakeChatMessage {
  role: string
  content: string
}

/**
 * Faults. Stream faults (`malformed-line`, `error-line`, `die`) hit /api/chat; `http-error` and
 * `hang` hit the listed paths (default /api/chat). `afterTokens` counts content lines already sent.
 */
export type FakeFault =
  | { kind: 'http-error'; status?: number; message?: string; paths?: string[] }
  | { kind: 'malformed-line'; afterTokens: number; then?: 'continue' | 'end' }
  | { kind: 'error-line'; afterTokens: number; message: string }
  | { kind: 'die'; afterTokens: number }
  | { kind: 'hang'; paths?: string[] }

/** What the fake does; change any part at run time with `set`. */
export interface FakeBehaviour {
  /** The model's answer, or a function of the request's messages (and model) giving it. */
  reply: string | ((messages: FakeChatMessage[], model: string) => string)
  /** Characters (code points) per streamed token; 0 streams word by word (CJK: char by char). */
  tokenSize: number
  tokenDelayMs: number
  firstTokenDelayMs: number
  /** Length of the vectors /api/embed returns. */
  embedDim: number
  /** Real Ollama L2-normalises /api/embed output; turn off to test the client side does it too. */
  normalizeEmbeddings: boolean
  fault: FakeFault | null
  /** Progress lines per layer on /api/pull, and the pause between them. */
  pullSteps: number
  pullDelayMs: number
  /** Names /api/pull can find in the "registry"; 'any' accepts every name. */
  pullable: string[] | 'any'
}

export interface FakeOllamaOptions extends Partial<FakeBehaviour> {
  /** Installed models; defaults to llama3.2 (chat) and nomic-embed-text (embedding). */
  models?: FakeModel[]
  /** What GET /api/version reports. */
  version?: string
}

/** One request as the fake saw it. */
export interface LoggedRequest {
  method: string
  path: string
  /** The parsed JSON body, or undefined for GET / an unparseable body. */
  body: unknown
  /** True once the request body has been read and the request is being answered. */
  read: boolean
  /** True once the response is over, however it ended. */
  settled: boolean
  /** The client closed the connection before the response ended (e.g. it aborted the request). */
  clientClosed: boolean
  /** The fake itself cut the connection (a `die` fault, `stop()` or `close()`). */
  serverDropped: boolean
}

/** A running fake Ollama server. */
export interface FakeOllama {
  /** Base URL, e.g. http://127.0.0.1:43121. */
  readonly url: string
  readonly port: number
  readonly requests: LoggedRequest[]
  /** The installed models (pulls add to it). */
  readonly models: FakeModel[]
  set(behaviour: Partial<FakeBehaviour>): void
  /** Resolves once every request received so far has settled. */
  settled(): Promise<void>
  /** Resolves with the first request to `path` (already received or still to come), once its body is read. */
  received(path: string): Promise<LoggedRequest>
  /** Simulates Ollama dying: the port stops listening and open connections are cut. */
  stop(): Promise<void>
  /** Brings the server back on the same port. */
  restart(): Promise<void>
  close(): Promise<void>
}

const DEFAULT_MODELS: FakeModel[] = [
  { name: 'llama3.2:latest', family: 'llama', parameterSize: '3.2B', size: 2_019_393_189 },
  { name: 'nomic-embed-text:latest', family: 'nomic-bert', parameterSize: '137M', size: 274_302_450, embedding: true }
]

const DEFAULT_BEHAVIOUR: FakeBehaviour = {
  reply: 'This is a fake answer [1].',
  tokenSize: 0,
  tokenDelayMs: 0,
  firstTokenDelayMs: 0,
  embedDim: 768,
  normalizeEmbeddings: true,
  fault: null,
  pullSteps: 3,
  pullDelayMs: 0,
  pullable: 'any'
}

/** Starts a fake Ollama server on 127.0.0.1 and a free port. */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const { models = DEFAULT_MODELS, version = '0.12.6', ...behaviour } = options
  const state = {
    behaviour: { ...DEFAULT_BEHAVIOUR, ...behaviour },
    models: models.map((m) => ({ ...m, name: fullName(m.name) })),
    version
  }
  const requests: LoggedRequest[] = []
  const pending = new Set<Promise<void>>()
  const sockets = new Set<Socket>()
  const open = new Set<ServerResponse>()
  const arrivals = new Set<() => void>()

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      body: undefined,
      read: false,
      settled: false,
      clientClosed: false,
      serverDropped: false
    }
    requests.push(entry)
    open.add(res)
    const done = new Promise<void>((resolve) => {
      res.once('close', () => {
        open.delete(res)
        entry.settled = true
        entry.serverDropped = droppedByServer.has(res)
        entry.clientClosed = !res.writableFinished && !entry.serverDropped
        resolve()
      })
    })
    pending.add(done)
    void done.then(() => pending.delete(done))
    void readJson(req).then((body) => {
      entry.body = body
      entry.read = true
      for (const notify of arrivals) notify()
      return route(state, entry, res)
    })
  }

  let server: Server
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server = createServer(handler)
      server.on('connection', (socket) => {
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
    })
  const port = await listen(0)

  const stop = async (): Promise<void> => {
    if (!server.listening) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // Every open response is cut by the server here, not by the client.
    for (const res of open) droppedByServer.add(res)
    for (const socket of sockets) socket.destroy()
    await closed
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    models: state.models,
    set: (b) => Object.assign(state.behaviour, b),
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending])
    },
    received: (path) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = requests.find((r) => r.path === path && r.read)
          if (found) {
            arrivals.delete(check)
            resolve(found)
          }
        }
        arrivals.add(check)
        check()
      }),
    stop,
    restart: async () => {
      if (!server.listening) await listen(port)
    },
    close: stop
  }
}

type State = { behaviour: FakeBehaviour; models: FakeModel[]; version: string }

// Responses the fake cut itself, so the log does not blame the client for them.
const droppedByServer = new WeakSet<ServerResponse>()

async function route(state: State, entry: LoggedRequest, res: ServerResponse): Promise<void> {
  const { behaviour } = state
  const fault = behaviour.fault
  const faultPaths = fault && (fault.kind === 'http-error' || fault.kind === 'hang') ? (fault.paths ?? ['/api/chat']) : []
  if (fault?.kind === 'hang' && faultPaths.includes(entry.path)) return
  if (fault?.kind === 'http-error' && faultPaths.includes(entry.path)) {
    return sendJson(res, fault.status ?? 500, { error: fault.message ?? 'llama runner process has terminated: exit status 2' })
  }
  const key = `${entry.method} ${entry.path}`
  const body = (entry.body ?? {}) as Record<string, unknown>
  switch (key) {
    case 'GET /':
    case 'HEAD /':
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      return void res.end('Ollama is running')
    case 'GET /api/version':
      return sendJson(res, 200, { version: state.version })
    case 'GET /api/tags':
      return sendJson(res, 200, { models: state.models.map(tagsEntry) })
    case 'GET /api/ps':
      return sendJson(res, 200, { models: [] })
    case 'POST /api/show': {
      const model = findModel(state, body.model ?? body.name)
      if (!model) return notFound(res, body.model ?? body.name)
      return sendJson(res, 200, showEntry(model, behaviour.embedDim))
    }
    case 'POST /api/embed':
    case 'POST /api/embeddings': {
      const model = findModel(state, body.model)
      if (!model) return notFound(res, body.model)
      const one = (text: string): number[] => fakeVector(`${model.name}\u0000${text}`, text, behaviour.embedDim, behaviour.normalizeEmbeddings)
      if (entry.path === '/api/embeddings') return sendJson(res, 200, { embedding: one(String(body.prompt ?? '')) })
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')]
      return sendJson(res, 200, {
        model: String(body.model),
        embeddings: inputs.map(one),
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: inputs.reduce((n, t) => n + t.length, 0)
      })
    }
    case 'POST /api/chat':
      return chat(state, body, res)
    case 'POST /api/pull':
      return pull(state, body, res)
    default:
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      return void res.end('404 page not found')
  }
}

async function chat(state: State, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const { behaviour } = state
  if (typeof body.model !== 'string' || body.model === '') return sendJson(res, 400, { error: 'model is required' })
  const model = findModel(state, body.model)
  if (!model) return notFound(res, body.model)
  if (model.embedding) return sendJson(res, 400, { error: `"${body.model}" does not support chat` })
  const messages = (Array.isArray(body.messages) ? body.messages : []) as FakeChatMessage[]
  const head = { model: body.model, created_at: new Date().toISOString() }
  if (messages.length === 0) {
    return sendJson(res, 200, { ...head, message: { role: 'assistant', content: '' }, done_reason: 'load', done: true })
  }
  const reply = typeof behaviour.reply === 'function' ? behaviour.reply(messages, body.model) : behaviour.reply
  const tokens = splitTokens(reply, behaviour.tokenSize)
  const stats = {
    done_reason: 'stop',
    done: true,
    total_duration: 4_883_583_458,
    load_duration: 1_334_875,
    prompt_eval_count: messages.reduce((n, m) => n + Math.ceil(String(m.content).length / 4), 0),
    prompt_eval_duration: 342_546_000,
    eval_count: tokens.length,
    eval_duration: 4_535_599_000
  }
  const fault = behaviour.fault
  const streamFault = fault && fault.kind !== 'http-error' && fault.kind !== 'hang' ? fault : null
  if (!(await pause(res, behaviour.firstTokenDelayMs))) return
  if (body.stream === false) {
    if (!(await pause(res, behaviour.tokenDelayMs * tokens.length))) return
    if (streamFault?.kind === 'die') return drop(res)
    if (streamFault?.kind === 'malformed-line') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
      return void res.end('{"model":"' + body.model + '","message":{"role":"assis')
    }
    return sendJson(res, 200, { ...head, message: { role: 'assistant', content: reply }, ...stats })
  }
  const line = (value: unknown): void => {
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
    res.write(typeof value === 'string' ? value : JSON.stringify(value) + '\n')
  }
  for (let i = 0; i <= tokens.length; i++) {
    if (streamFault && streamFault.afterTokens === i) {
      if (streamFault.kind === 'die') return drop(res)
      if (streamFault.kind === 'error-line') return void (line({ error: streamFault.message }), res.end())
      line('{"model":"' + body.model + '","created_at":"' + head.created_at + '","message":{"role":"assis\n')
      if (streamFault.then === 'end') return void res.end()
    }
    if (i === tokens.length) break
    line({ ...head, created_at: new Date().toISOString(), message: { role: 'assistant', content: tokens[i] }, done: false })
    if (i < tokens.length - 1 && !(await pause(res, behaviour.tokenDelayMs))) return
  }
  line({ ...head, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, ...stats })
  res.end()
}

async function pull(state: State, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const { behaviour } = state
  // The client sends `name`; newer servers also accept `model`.
  const name = fullName(String(body.model ?? body.name ?? ''))
  const stream = body.stream !== false
  const known = behaviour.pullable === 'any' || behaviour.pullable.map(fullName).includes(name)
  if (!stream) {
    if (!known) return sendJson(res, 500, { error: 'pull model manifest: file does not exist' })
    install(state, name)
    return sendJson(res, 200, { status: 'success' })
  }
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
  const send = (value: unknown): void => void res.write(JSON.stringify(value) + '\n')
  send({ status: 'pulling manifest' })
  if (!known) return void (send({ error: 'pull model manifest: file does not exist' }), res.end())
  const layers = [hexDigest(`${name}/weights`), hexDigest(`${name}/params`)]
  const sizes = [fakeSize(name), 412]
  for (const [l, digest] of layers.entries()) {
    for (let step = 1; step <= behaviour.pullSteps; step++) {
      if (!(await pause(res, behaviour.pullDelayMs))) return
      const total = sizes[l]
      send({ status: `pulling ${digest.slice(0, 12)}`, digest: `sha256:${digest}`, total, completed: Math.round((total * step) / behaviour.pullSteps) })
    }
  }
  for (const status of ['verifying sha256 digest', 'writing manifest']) send({ status })
  install(state, name)
  send({ status: 'success' })
  res.end()
}

function install(state: State, name: string): void {
  if (state.models.some((m) => m.name === name)) return
  const embedding = /embed|minilm|bge/i.test(name)
  state.models.push({
    name,
    family: embedding ? 'nomic-bert' : 'llama',
    parameterSize: embedding ? '137M' : '3.2B',
    size: fakeSize(name),
    embedding
  })
}

function findModel(state: State, name: unknown): FakeModel | undefined {
  return typeof name === 'string' && name !== '' ? state.models.find((m) => m.name === fullName(name)) : undefined
}

function fullName(name: string): string {
  const lastSegment = name.split('/').pop() ?? name
  return lastSegment.includes(':') ? name : `${name}:latest`
}

function notFound(res: ServerResponse, name: unknown): void {
  sendJson(res, 404, { error: `model "${String(name ?? '')}" not found, try pulling it first` })
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.destroyed) return
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(value))
}

function drop(res: ServerResponse): void {
  droppedByServer.add(res)
  const socket = res.socket
  // Like a process that dies: what was written still reaches the client, then the connection ends
  // without the end of the chunked body.
  if (socket) setImmediate(() => socket.write('', () => socket.destroy()))
}

/** Waits `ms`, or less if the client goes away; resolves false when the response is closed. */
function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false)
  if (ms <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      res.off('close', onClose)
      resolve(!res.destroyed)
    }, ms)
    res.once('close', onClose)
  })
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    return text === '' ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}
