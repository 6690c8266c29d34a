/**
 * The DocumindClient of a browser tab: the contract's wire (WireRequest / WireMessage) over a
 * WebSocket to the web host, reconnecting with backoff when the host restarts or the laptop
 * sleeps. Dropped files are uploaded first, because a page cannot see paths on disk.
 */
import { z } from 'zod'
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput, Result, WireRequest } from '../../../shared/contract'
import type { ConnectionState, RendererClient } from './types'
import { uploadDropped } from './upload'
import { isEventName, parseEvent, parseResult } from './validate'

const WireMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ kind: z.literal('event'), name: z.string(), payload: z.unknown() })
])

/** Requests made while the socket is down wait this long for it to come back. */
const QUEUE_TIMEOUT_MS = 30_000
const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 8_000

interface Pending {
  name: RequestName
  resolve: (result: Result<unknown>) => void
  timer: ReturnType<typeof setTimeout> | null
}

export interface WebSocketClientOptions {
  /** e.g. ws://127.0.0.1:4312/ws?token=T */
  socketUrl: string
  /** The per-launch token the upload route also needs. */
  token: string
}

export function createWebSocketClient(options: WebSocketClientOptions): RendererClient {
  const pending = new Map<number, Pending>()
  const queued: Array<{ id: number; frame: string }> = []
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let socket: WebSocket | null = null
  let nextId = 1
  let attempt = 0

  const setState = (next: ConnectionState): void => {
    state = next
    for (const listener of connectionListeners) listener(next)
  }

  const settle = (id: number, result: Result<unknown>): void => {
    const entry = pending.get(id)
    if (!entry) return
    pending.delete(id)
    if (entry.timer) clearTimeout(entry.timer)
    entry.resolve(result)
  }

  const onMessage = (data: unknown): void => {
    if (typeof data !== 'string') return
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      return
    }
    const message = WireMessageSchema.safeParse(json)
    if (!message.success) return
    if (message.data.kind === 'result') {
      const entry = pending.get(message.data.id)
      if (entry) settle(message.data.id, parseResult(entry.name, message.data.result))
      return
    }
    const { name, payload } = message.data
    if (!isEventName(name)) return
    const set = listeners.get(name)
    if (!set || set.size === 0) return
    const parsed = parseEvent(name, payload)
    if (parsed === null) return
    for (const listener of set) listener(parsed)
  }

  const connect = (): void => {
    const ws = new WebSocket(options.socketUrl)
    socket = ws
    ws.onopen = () => {
      attempt = 0
      for (const { frame } of queued.splice(0)) ws.send(frame)
      setState('open')
    }
    ws.onmessage = (event) => onMessage(event.data)
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      // Requests already sent may or may not have run; say so rather than guess.
      for (const [id, entry] of pending) {
        if (!queued.some((q) => q.id === id)) {
          settle(id, { ok: false, error: { code: 'internal', message: `The connection to DocuMind was lost during ${entry.name}. It reconnects by itself; try again in a moment.` } })
        }
      }
      setState('reconnecting')
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt) * (0.75 + Math.random() * 0.5)
      attempt++
      setTimeout(connect, delay)
    }
  }
  connect()

  return {
    invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>> {
      const id = nextId++
      const request: WireRequest = { kind: 'invoke', id, name, input }
      const frame = JSON.stringify(request)
      return new Promise((resolve) => {
        const entry: Pending = { name, resolve: resolve as (result: Result<unknown>) => void, timer: null }
        pending.set(id, entry)
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(frame)
          return
        }
        queued.push({ id, frame })
        entry.timer = setTimeout(() => {
          const at = queued.findIndex((q) => q.id === id)
          if (at >= 0) queued.splice(at, 1)
          settle(id, { ok: false, error: { code: 'internal', message: 'DocuMind is not reachable. Is `documind serve` still running?' } })
        }, QUEUE_TIMEOUT_MS)
      })
    },

    on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      const wrapped = listener as (payload: unknown) => void
      set.add(wrapped)
      return () => void set.delete(wrapped)
    },

    onConnection(listener) {
      connectionListeners.add(listener)
      listener(state)
      return () => void connectionListeners.delete(listener)
    },

    pathsForDropped: (files, onProgress) => uploadDropped(files, options.token, onProgress)
  }
}
