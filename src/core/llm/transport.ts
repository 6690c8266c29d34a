/**
 * How the gateway's requests whose answer is read whole (embeddings, the model list) reach the
 * server: undici's `request`, its answer handed to the client as a standard `Response` over the
 * bytes already read.
 *
 * Node's global `fetch` is undici too, wrapped in the WHATWG machinery (web streams, abort
 * signals, body mixins) for every request. A search waits for its question's embedding, so that
 * machinery sits on its critical path: against the benchmark's model server, 100 embeddings of one
 * question each, seven rounds alternated, took p50 0.91 and p95 2.46 ms through `fetch` and 0.58
 * and 1.03 ms through `request` (bench/notes.md). Streamed answers (chat, pulls) still go through
 * `fetch`: their first token came no sooner through `request`.
 */
import { STATUS_CODES } from 'node:http'
import { Agent, request } from 'undici'

// One pool of kept-alive connections per thread, like `fetch`'s own.
const dispatcher = new Agent()

/** Statuses whose response has no body (`new Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304])

/** A `fetch` for requests whose answer is read whole: same inputs, same `Response`, same errors' codes. */
export async function bufferedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) throw new TypeError('bufferedFetch takes a URL, not a Request')
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new TypeError('bufferedFetch sends string bodies only')
  const answer = await request(input, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers as Record<string, string> | undefined,
    body: init.body ?? undefined,
    signal: init.signal ?? undefined,
    dispatcher
  })
  const body = NO_BODY.has(answer.statusCode) ? null : Buffer.from(await answer.body.arrayBuffer())
  if (!body) await answer.body.dump()
  const headers = new Headers()
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  return new Response(body, { status: answer.statusCode, statusText: STATUS_CODES[answer.statusCode] ?? '', headers })
}
