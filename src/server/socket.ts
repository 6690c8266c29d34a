/**
 * The contract over a WebSocket: each connection is one session of the app service. Frames are
 * parsed with the contract's wire schema; a frame that is not a request gets an error result
 * (never a crash, never a closed connection), and a client too slow to read its events is cut off
 * rather than left to fill the memory.
 */
import { randomUUID } from 'node:crypto'
import { WebSocket, type RawData } from 'ws'
import type { AppService, AppSession } from '../core/app'
import { WireRequestSchema, type ErrorValue, type WireMessage } from '../shared/contract'

/** Unread output beyond this means the page has stopped reading (a hung tab): close it. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

/** Serves one connection until it closes. */
export function serveConnection(ws: WebSocket, service: AppService): void {
  const send = (message: WireMessage): void => {
    if (ws.readyState !== WebSocket.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return void ws.terminate()
    ws.send(JSON.stringify(message))
  }
  const session: AppSession = { id: randomUUID(), send: (name, payload) => send({ kind: 'event', name, payload }) }
  const disconnect = service.connect(session)
  const refuse = (id: number, message: string): void => send({ kind: 'result', id, result: { ok: false, error: invalid(message) } })

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return refuse(-1, 'Frames must be JSON text.')
    let frame: unknown
    try {
      frame = JSON.parse(rawText(data))
    } catch {
      return refuse(-1, 'The frame is not JSON.')
    }
    const parsed = WireRequestSchema.safeParse(frame)
    if (!parsed.success) return refuse(idOf(frame), 'The frame is not a request: expected {"kind":"invoke","id":N,"name":"…","input":…}.')
    const { id, name, input } = parsed.data
    void service.handle(session, name, input).then((result) => send({ kind: 'result', id, result }))
  })
  ws.on('close', disconnect)
  ws.on('error', (error) => console.error('documind: a WebSocket connection failed:', error.message))
}

function invalid(message: string): ErrorValue {
  return { code: 'invalid-request', message }
}

/** The request id of a frame that failed validation, when it has a usable one (else -1). */
function idOf(frame: unknown): number {
  const id = frame && typeof frame === 'object' ? (frame as { id?: unknown }).id : undefined
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}
