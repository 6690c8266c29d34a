/**
 * How the gateway's embedding requests reach the server: Node's own HTTP client, the answer
 * handed to the `ollama` client as a standard `Response` over the bytes already read.
 *
 * Node's global `fetch` wraps every request in the WHATWG machinery (web streams, abort signals,
 * body readers), built and thrown away per request. A search waits for its question's embedding,
 * so that machinery sits on its critical path: against the benchmark's model server, 100
 * embeddings of one question each, seven rounds alternated, took p50 0.91 and p95 2.46 ms through
 * `fetch` and 0.55 and 1.1–1.4 ms through `node:http` (bench/notes.md). undici's own `request`
 * was as fast, but loading the package took 134–146 ms, which a query thread pays before its
 * first question. Everything else still goes through `fetch`: streamed answers came no sooner
 * another way, and the status check through this made answers slower (see ollama.ts).
 */
import http from 'node:http'
import https from 'node:https'

// Each scheme's client, with kept-alive connections: one pool per thread, like `fetch`'s own.
const clients: Record<string, { module: typeof http | typeof https; agent: http.Agent }> = {
  'http:': { module: http, agent: new http.Agent({ keepAlive: true }) },
  'https:': { module: https, agent: new https.Agent({ keepAlive: true }) }
}

/** Statuses whose response has no body (`new Response` refuses one). */
const NO_BODY = new Set([204, 205, 304])

/**
 * A `fetch` for requests whose answer is read whole. Failures keep Node's codes (ECONNREFUSED,
 * ECONNRESET…) and an abort rejects with an `AbortError`, as with `fetch`.
 */
export function bufferedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) return Promise.reject(new TypeError('bufferedFetch takes a URL, not a Request'))
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') return Promise.reject(new TypeError('bufferedFetch sends string bodies only'))
  const url = new URL(input)
  const client = clients[url.protocol] as (typeof clients)[string] | undefined
  if (!client) return Promise.reject(new TypeError(`bufferedFetch cannot fetch ${url.protocol} URLs`))
  return new Promise((resolve, reject) => {
    const request = client.module.request(url, { method: init.method ?? 'GET', headers: init.headers as http.OutgoingHttpHeaders, agent: client.agent, signal: init.signal ?? undefined }, (response) => {
      const parts: Buffer[] = []
      response.on('data', (part: Buffer) => parts.push(part))
      // An answer that breaks off fails with ECONNRESET ("aborted"), never ends as if whole.
      response.on('error', reject)
      response.on('end', () => {
        const status = response.statusCode ?? 0
        resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(parts), { status, statusText: response.statusMessage ?? '', headers: headersOf(response) }))
      })
    })
    // A kept-alive connection the server closed while it sat in the pool fails the next request
    // sent on it with ECONNRESET; the embedder sends an embedding again once (embed/ollama.ts).
    request.on('error', reject)
    request.end(init.body ?? undefined)
  })
}

function headersOf(response: http.IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(response.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  return headers
}
