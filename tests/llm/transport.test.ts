import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createOllamaEmbedder } from '../../src/core/embed/ollama'
import { createOllamaGateway } from '../../src/core/llm/ollama'
import { bufferedFetch } from '../../src/core/llm/transport'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** An HTTP server on 127.0.0.1 whose handler also gets how many requests its connection has carried. */
async function serve(handler: (request: IncomingMessage, response: ServerResponse, onConnection: number) => void): Promise<string> {
  const carried = new WeakMap<Socket, number>()
  server = createServer((request, response) => {
    const count = (carried.get(request.socket) ?? 0) + 1
    carried.set(request.socket, count)
    handler(request, response, count)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

const json = (response: ServerResponse, value: unknown): void => {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value))
}

/** Starts an answer and closes the connection before it is whole. */
function breakOff(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
  response.write('{"embeddings":[[0.1,')
  setTimeout(() => response.socket?.destroy(), 20)
}

describe('bufferedFetch', () => {
  it('answers with a standard Response: status, headers and body', async () => {
    const url = await serve((request, response) => {
      let body = ''
      request.on('data', (part: Buffer) => (body += part.toString()))
      request.on('end', () => response.writeHead(201, { 'content-type': 'application/json', 'x-twice': ['a', 'b'] }).end(JSON.stringify({ method: request.method, body })))
    })
    const answer = await bufferedFetch(`${url}/api/echo`, { method: 'POST', body: '{"q":"烏龍茶"}', headers: { 'Content-Type': 'application/json' } })
    expect(answer).toBeInstanceOf(Response)
    expect(answer.status).toBe(201)
    expect(answer.statusText).toBe('Created')
    expect(answer.headers.get('x-twice')).toBe('a, b')
    expect(await answer.json()).toEqual({ method: 'POST', body: '{"q":"烏龍茶"}' })
  })

  it('does not send a request twice when its kept-alive connection was closed under it', async () => {
    let embeds = 0
    const url = await serve((request, response, onConnection) => {
      if (request.method === 'POST') embeds++
      // The second request on a connection finds it closed, as after the server's idle timeout.
      if (onConnection === 2) request.socket.destroy()
      else json(response, {})
    })
    await bufferedFetch(`${url}/api/version`)
    await expect(bufferedFetch(`${url}/api/embed`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(embeds).toBe(1)
  })

  it('fails with ECONNRESET when the answer breaks off, instead of returning part of it', async () => {
    const url = await serve((_request, response) => breakOff(response))
    await expect(bufferedFetch(`${url}/api/embed`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' })
  })

  it('stops when its signal is aborted, closing the request on the server', async () => {
    let closed = false
    const url = await serve((request) => {
      request.socket.on('close', () => (closed = true))
    })
    const controller = new AbortController()
    const answer = bufferedFetch(`${url}/api/embed`, { method: 'POST', body: '{}', signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(answer).rejects.toMatchObject({ name: 'AbortError' })
    await expect.poll(() => closed).toBe(true)
  })
})

describe('the gateway and the embedder over it', () => {
  it('sends an embedding again, once, when its kept-alive connection was closed under it', async () => {
    let embeds = 0
    const url = await serve((request, response, onConnection) => {
      embeds++
      if (onConnection === 2) request.socket.destroy()
      else json(response, { embeddings: [[3, 4]] })
    })
    const embedder = await createOllamaEmbedder({ host: url, model: 'nomic-embed-text', dim: 2 })
    expect(Array.from(await embedder.embedQuery('first'))).toEqual([0.6000000238418579, 0.800000011920929])
    expect(Array.from(await embedder.embedQuery('second'))).toEqual([0.6000000238418579, 0.800000011920929])
    expect(embeds).toBe(3)
  })

  it('reports an embedding whose answer breaks off as interrupted, naming the server', async () => {
    const url = await serve((_request, response) => breakOff(response))
    const error = await createOllamaGateway({ host: url })
      .embed('nomic-embed-text:latest', ['a question'])
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'interrupted' })
    expect((error as Error).message).toContain(url)
  })
})
