import { createServer } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LlmError } from '../../src/core/llm/errors'
import { pickChatModel, type ModelInfo } from '../../src/core/llm/gateway'
import { createOllamaGateway, normalizeHost } from '../../src/core/llm/ollama'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'

const question = [{ role: 'user' as const, content: 'What is in my documents?' }]

let fake: FakeOllama
beforeEach(async () => {
  fake = await startFakeOllama()
})
afterEach(async () => {
  await fake.close()
})

/** Runs `promise`, expecting an LlmError, and returns it. */
async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(LlmError)
  return err as LlmError
}

/** A port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('status', () => {
  it('lists the installed models with their family and size, and tells embedding models apart', async () => {
    const status = await createOllamaGateway({ host: fake.url }).status()
    expect(status).toMatchObject({ reachable: true, host: fake.url, version: '0.12.6' })
    expect(status.error).toBeUndefined()
    expect(status.models).toEqual([
      { name: 'llama3.2:latest', size: 2_019_393_189, family: 'llama', parameterSize: '3.2B', isEmbedding: false },
      { name: 'nomic-embed-text:latest', size: 274_302_450, family: 'nomic-bert', parameterSize: '137M', isEmbedding: true }
    ])
  })

  it('reports a server that is not running as unreachable within two seconds, with what to do', async () => {
    const host = `http://127.0.0.1:${await closedPort()}`
    const started = Date.now()
    const status = await createOllamaGateway({ host }).status()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(status.reachable).toBe(false)
    expect(status.error?.code).toBe('unreachable')
    expect(status.error?.message).toContain(`No Ollama server answered at ${host}`)
    expect(status.error?.message).toContain('check the host in Settings')
  })

  it('gives up on a server that accepts the connection but never answers, within two seconds', async () => {
    fake.set({ fault: { kind: 'hang', paths: ['/api/tags', '/api/version'] } })
    const started = Date.now()
    const status = await createOllamaGateway({ host: fake.url }).status()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(status).toMatchObject({ reachable: false, error: { code: 'unreachable' } })
    await fake.settled()
    expect(fake.requests.filter((r) => r.path === '/api/tags').every((r) => r.clientClosed)).toBe(true)
  })

  it('recovers when Ollama is restarted', async () => {
    const gateway = createOllamaGateway({ host: fake.url })
    expect((await gateway.status()).reachable).toBe(true)
    await fake.stop()
    expect(await gateway.status()).toMatchObject({ reachable: false, error: { code: 'unreachable' } })
    await fake.restart()
    const back = await gateway.status()
    expect(back.reachable).toBe(true)
    expect(back.models.map((m) => m.name)).toContain('llama3.2:latest')
  })
})

describe('chat', () => {
  it('streams the answer token by token, in order, as the tokens arrive', async () => {
    fake.set({ reply: 'Rust moves values; it does not copy them [1].', tokenDelayMs: 15 })
    const seen: { token: string; at: number }[] = []
    const text = await createOllamaGateway({ host: fake.url }).chat({
      model: 'llama3.2',
      messages: question,
      onToken: (token) => seen.push({ token, at: Date.now() })
    })
    expect(text).toBe('Rust moves values; it does not copy them [1].')
    expect(seen.map((s) => s.token)).toEqual(['Rust', ' moves', ' values;', ' it', ' does', ' not', ' copy', ' them', ' [1].'])
    // Tokens reach the caller as they are produced, not all at once at the end.
    expect(seen[seen.length - 1].at - seen[0].at).toBeGreaterThanOrEqual(80)
    expect(fake.requests.find((r) => r.path === '/api/chat')?.body).toMatchObject({ model: 'llama3.2', messages: question, stream: true, options: { num_ctx: 8192 } })
  })

  it('streams Chinese character by character and passes HTML through untouched', async () => {
    fake.set({ reply: '答案是<script>alert(1)</script><img src=x onerror=alert(2)>' })
    const tokens: string[] = []
    const text = await createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question, onToken: (t) => tokens.push(t) })
    expect(text).toBe('答案是<script>alert(1)</script><img src=x onerror=alert(2)>')
    expect(tokens.slice(0, 3)).toEqual(['答', '案', '是'])
  })

  it('stops when aborted, closing the request on the server, and keeps what had arrived', async () => {
    fake.set({ reply: 'one two three four five six seven eight nine ten', tokenDelayMs: 40 })
    const controller = new AbortController()
    const tokens: string[] = []
    const err = await failure(
      createOllamaGateway({ host: fake.url }).chat({
        model: 'llama3.2',
        messages: question,
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t)
          if (tokens.length === 2) controller.abort()
        }
      })
    )
    expect(err.code).toBe('aborted')
    expect(err.partial).toBe('one two')
    expect(err.tokensArrived).toBe(true)
    await fake.settled()
    expect(fake.requests.find((r) => r.path === '/api/chat')).toMatchObject({ clientClosed: true, serverDropped: false })
  })

  it('closes the request when aborted while the model is still loading', async () => {
    fake.set({ firstTokenDelayMs: 5000 })
    const controller = new AbortController()
    const answering = failure(createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question, signal: controller.signal }))
    const request = await fake.received('/api/chat')
    const stoppedAt = Date.now()
    controller.abort()
    const err = await answering
    expect(err.code).toBe('aborted')
    expect(Date.now() - stoppedAt).toBeLessThan(500)
    await fake.settled()
    expect(request.clientClosed).toBe(true)
  })

  it('says a model is not installed and how to get it', async () => {
    const err = await failure(createOllamaGateway({ host: fake.url }).chat({ model: 'qwen2.5:7b', messages: question }))
    expect(err.code).toBe('model-not-found')
    expect(err.model).toBe('qwen2.5:7b')
    expect(err.message).toBe('The model "qwen2.5:7b" is not installed in Ollama. Pull it (ollama pull qwen2.5:7b) or choose another model.')
  })

  it("reports an HTTP 500 with Ollama's own error text", async () => {
    fake.set({ fault: { kind: 'http-error', status: 500, message: 'llama runner process has terminated: signal: killed' } })
    const err = await failure(createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question }))
    expect(err.code).toBe('server-error')
    expect(err.message).toContain('llama runner process has terminated: signal: killed')
    expect(err.tokensArrived).toBe(false)
  })

  it('reports an error Ollama sends mid-stream, keeping the text before it', async () => {
    fake.set({ reply: 'alpha beta gamma', fault: { kind: 'error-line', afterTokens: 2, message: 'out of memory' } })
    const err = await failure(createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question }))
    expect(err.code).toBe('server-error')
    expect(err.message).toContain('out of memory')
    expect(err.partial).toBe('alpha beta')
  })

  it('reports a stream that breaks off after a malformed line as bad-stream, keeping the text before it', async () => {
    fake.set({ reply: 'alpha beta gamma', fault: { kind: 'malformed-line', afterTokens: 1, then: 'end' } })
    const err = await failure(createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question }))
    expect(err.code).toBe('bad-stream')
    expect(err.partial).toBe('alpha')
  })

  it('finishes the answer when one malformed line is followed by a good stream (the client skips it)', async () => {
    fake.set({ reply: 'alpha beta gamma', fault: { kind: 'malformed-line', afterTokens: 1, then: 'continue' } })
    const text = await createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question })
    expect(text).toBe('alpha beta gamma')
  })

  it('gives up when the first token takes too long, and closes the request', async () => {
    fake.set({ firstTokenDelayMs: 3000 })
    const started = Date.now()
    const err = await failure(
      createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question, firstTokenTimeoutMs: 300 })
    )
    expect(err.code).toBe('first-token-timeout')
    expect(err.message).toContain('did not start answering')
    expect(Date.now() - started).toBeLessThan(1500)
    await fake.settled()
    expect(fake.requests.find((r) => r.path === '/api/chat')?.clientClosed).toBe(true)
  })

  it('does not time out a slow answer once the first token has arrived', async () => {
    fake.set({ reply: 'slow but steady', tokenDelayMs: 700 })
    const text = await createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question, firstTokenTimeoutMs: 500 })
    expect(text).toBe('slow but steady')
  })

  it('keeps the partial answer when Ollama dies mid-answer', async () => {
    fake.set({ reply: 'one two three four five', fault: { kind: 'die', afterTokens: 3 } })
    const tokens: string[] = []
    const err = await failure(
      createOllamaGateway({ host: fake.url }).chat({ model: 'llama3.2', messages: question, onToken: (t) => tokens.push(t) })
    )
    expect(err.code).toBe('interrupted')
    expect(err.partial).toBe('one two three')
    expect(tokens).toEqual(['one', ' two', ' three'])
    expect(err.message).toContain('dropped before the answer was finished')
  })

  it('reports a server that is not running as unreachable', async () => {
    const host = `http://127.0.0.1:${await closedPort()}`
    const err = await failure(createOllamaGateway({ host }).chat({ model: 'llama3.2', messages: question }))
    expect(err.code).toBe('unreachable')
    expect(err.host).toBe(host)
  })
})

describe('pull', () => {
  it('reports progress through to success, after which the model is installed', async () => {
    const gateway = createOllamaGateway({ host: fake.url })
    const progress: { status: string; completed?: number; total?: number }[] = []
    await gateway.pull('qwen2.5:7b', (p) => progress.push(p))
    const statuses = progress.map((p) => p.status)
    expect(statuses[0]).toBe('pulling manifest')
    expect(statuses.slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success'])
    const downloads = progress.filter((p) => p.status.startsWith('pulling ') && p.total)
    expect(downloads.length).toBeGreaterThanOrEqual(2)
    expect(downloads[downloads.length - 1].completed).toBe(downloads[downloads.length - 1].total)
    expect((await gateway.status()).models.map((m) => m.name)).toContain('qwen2.5:7b')
  })

  it('says when the library has no such model', async () => {
    fake.set({ pullable: ['llama3.2'] })
    const err = await failure(createOllamaGateway({ host: fake.url }).pull('lama3.2', () => {}))
    expect(err.code).toBe('model-not-found')
    expect(err.message).toContain('could not find "lama3.2"')
  })

  it('can be cancelled, and then the model is not installed', async () => {
    fake.set({ pullSteps: 50, pullDelayMs: 20 })
    const controller = new AbortController()
    const gateway = createOllamaGateway({ host: fake.url })
    const err = await failure(gateway.pull('mistral', (p) => p.completed && controller.abort(), controller.signal))
    expect(err.code).toBe('aborted')
    await fake.settled()
    expect(fake.requests.find((r) => r.path === '/api/pull')?.clientClosed).toBe(true)
    expect((await gateway.status()).models.map((m) => m.name)).not.toContain('mistral:latest')
  })
})

describe('picking a chat model', () => {
  const models: ModelInfo[] = [
    { name: 'nomic-embed-text:latest', size: 1, isEmbedding: true },
    { name: 'llama3.2:latest', size: 1, isEmbedding: false },
    { name: 'qwen2.5:7b', size: 1, isEmbedding: false }
  ]

  it('takes the preferred model when installed, with or without its tag', () => {
    expect(pickChatModel(models, 'qwen2.5:7b')).toBe('qwen2.5:7b')
    expect(pickChatModel(models, 'llama3.2')).toBe('llama3.2:latest')
  })

  it('falls back to the first model that can chat, never an embedding model', () => {
    expect(pickChatModel(models, 'mistral')).toBe('llama3.2:latest')
    expect(pickChatModel(models, 'nomic-embed-text')).toBe('llama3.2:latest')
    expect(pickChatModel([models[0]])).toBeNull()
  })
})

describe('host', () => {
  it('reads OLLAMA_HOST forms the way Ollama does', () => {
    expect(normalizeHost(undefined)).toBe('http://127.0.0.1:11434')
    expect(normalizeHost('localhost')).toBe('http://localhost:11434')
    expect(normalizeHost(':8080')).toBe('http://127.0.0.1:8080')
    expect(normalizeHost('http://10.0.0.5:11434/')).toBe('http://10.0.0.5:11434')
  })
})
