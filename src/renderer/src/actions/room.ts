/**
 * Chat rooms: joining them, asking, stopping, and folding the room's events (question, loading,
 * sources, token…, done or error) into the store. Every window subscribed to a room gets the same
 * events, so a second window on the same chat shows the same stream.
 */
import type { ErrorValue, MessageValue, RoomEvent } from '../../../shared/contract'
import { client } from '../client'
import { useAppStore, type StreamState } from '../store'
import { refreshOllama } from './settings'

/** Rooms this window has joined since the connection last opened. */
const joined = new Set<string>()

/** Joins a room (once) and loads its messages. */
export async function joinRoom(chatId: string): Promise<void> {
  if (!joined.has(chatId)) {
    const result = await client().invoke('chat.subscribe', { chatId })
    if (!result.ok) {
      setRoomError(chatId, result.error)
      return
    }
    joined.add(chatId)
  }
  await loadMessages(chatId)
}

/**
 * After a (re)connect the host has forgotten this window's rooms: forget them too, and drop what
 * was cached for rooms not on screen (they reload when opened), since events may have been missed.
 */
export function forgetRooms(keepChatId: string | null): void {
  joined.clear()
  useAppStore.setState((s) => ({
    messagesByChat: keepChatId && s.messagesByChat[keepChatId] ? { [keepChatId]: s.messagesByChat[keepChatId] } : {},
    streams: keepChatId && s.streams[keepChatId] ? { [keepChatId]: s.streams[keepChatId] } : {}
  }))
}

/** Leaves a room for good (its chat was deleted). */
export function dropRoom(chatId: string): void {
  joined.delete(chatId)
  useAppStore.setState((s) => {
    const { [chatId]: _messages, ...messagesByChat } = s.messagesByChat
    const { [chatId]: _stream, ...streams } = s.streams
    return { messagesByChat, streams }
  })
}

export async function loadMessages(chatId: string): Promise<void> {
  const result = await client().invoke('chats.messages', { chatId })
  if (!result.ok) {
    setRoomError(chatId, result.error)
    return
  }
  useAppStore.setState((s) => {
    const loaded = result.value
    const ids = new Set(loaded.map((m) => m.id))
    // Events that arrived while the list loaded are newer than it: keep them.
    const arrived = (s.messagesByChat[chatId] ?? []).filter((m) => !ids.has(m.id))
    const messages = [...loaded, ...arrived].sort((a, b) => a.createdAt - b.createdAt)
    let stream: StreamState | undefined = s.streams[chatId]
    const writing = loaded.find((m) => m.role === 'assistant' && m.status === 'streaming')
    if (stream && loaded.some((m) => m.id === stream?.answerId && m.status !== 'streaming')) stream = undefined
    // Back from a dropped connection mid-answer: the saved text may hold tokens this window missed.
    if (stream && writing?.id === stream.answerId && writing.text.length > stream.text.length) stream = { ...stream, text: writing.text }
    // An answer being written when this window joined: show what was written so far.
    if (!stream && writing) stream = { answerId: writing.id, stage: 'writing', text: writing.text, hits: writing.citations }
    const streams = { ...s.streams }
    if (stream) streams[chatId] = stream
    else delete streams[chatId]
    return { messagesByChat: { ...s.messagesByChat, [chatId]: messages }, streams }
  })
}

/** Asks a question in a room; resolves false (with the room's error set) when the host refused. */
export async function ask(chatId: string, question: string): Promise<boolean> {
  clearRoomError(chatId)
  const result = await client().invoke('chat.ask', { chatId, question })
  if (!result.ok) {
    setRoomError(chatId, result.error)
    return false
  }
  const { answerId } = result.value
  useAppStore.setState((s) => {
    // The room's own events may already have started this stream, or even finished it.
    if (s.streams[chatId]?.answerId === answerId || s.messagesByChat[chatId]?.some((m) => m.id === answerId)) return {}
    return { streams: { ...s.streams, [chatId]: { answerId, stage: 'searching', text: '', hits: [] } } }
  })
  return true
}

export async function stopAnswer(chatId: string): Promise<void> {
  const result = await client().invoke('chat.stop', { chatId })
  if (!result.ok) setRoomError(chatId, result.error)
}

// Tokens arrive faster than a screen refreshes: gather them and render a few times a second at
// most. A timer, not requestAnimationFrame, because rAF stops in a hidden window.
const TOKEN_FLUSH_MS = 40
const pendingTokens = new Map<string, { answerId: string; text: string }>()
let flushTimer: ReturnType<typeof setTimeout> | null = null

function flushTokens(): void {
  if (flushTimer) clearTimeout(flushTimer)
  flushTimer = null
  if (pendingTokens.size === 0) return
  const batch = new Map(pendingTokens)
  pendingTokens.clear()
  useAppStore.setState((s) => {
    const streams = { ...s.streams }
    for (const [chatId, { answerId, text }] of batch) {
      const current = streams[chatId]
      streams[chatId] =
        current?.answerId === answerId ? { ...current, stage: 'writing', text: current.text + text } : { answerId, stage: 'writing', text, hits: current?.hits ?? [] }
    }
    return { streams }
  })
}

/** Folds one room event into the store. */
export function handleRoomEvent(event: RoomEvent): void {
  const { chatId } = event
  switch (event.type) {
    case 'question':
      upsertMessage(chatId, event.message)
      return
    case 'loading':
      updateStream(chatId, event.answerId, (current) => ({ ...current, stage: event.stage }))
      return
    case 'sources':
      updateStream(chatId, event.answerId, (current) => ({ ...current, hits: event.hits }))
      return
    case 'token': {
      const queued = pendingTokens.get(chatId)
      pendingTokens.set(chatId, queued?.answerId === event.answerId ? { answerId: event.answerId, text: queued.text + event.text } : { answerId: event.answerId, text: event.text })
      flushTimer ??= setTimeout(flushTokens, TOKEN_FLUSH_MS)
      return
    }
    case 'done':
      flushTokens()
      finishStream(chatId, event.message)
      if (event.message.mode === 'extractive') void refreshOllama()
      return
    case 'error': {
      flushTokens()
      const stream = useAppStore.getState().streams[chatId]
      // An answer that failed stays on screen, marked, with what was written of it.
      const message: MessageValue = event.message ?? {
        id: event.answerId,
        chatId,
        role: 'assistant',
        text: stream?.answerId === event.answerId ? stream.text : '',
        createdAt: Date.now(),
        status: 'failed',
        citations: [],
        notice: event.error.message
      }
      finishStream(chatId, message)
      setRoomError(chatId, event.error)
    }
  }
}

function updateStream(chatId: string, answerId: string, change: (current: StreamState) => StreamState): void {
  useAppStore.setState((s) => {
    const existing = s.streams[chatId]
    const current: StreamState = existing?.answerId === answerId ? existing : { answerId, stage: 'searching', text: '', hits: [] }
    return { streams: { ...s.streams, [chatId]: change(current) } }
  })
}

function finishStream(chatId: string, message: MessageValue): void {
  useAppStore.setState((s) => {
    const streams = { ...s.streams }
    if (streams[chatId]?.answerId === message.id) delete streams[chatId]
    return { streams, messagesByChat: withMessage(s.messagesByChat, chatId, message) }
  })
}

function upsertMessage(chatId: string, message: MessageValue): void {
  useAppStore.setState((s) => ({ messagesByChat: withMessage(s.messagesByChat, chatId, message) }))
}

function withMessage(all: Record<string, MessageValue[]>, chatId: string, message: MessageValue): Record<string, MessageValue[]> {
  const list = all[chatId] ?? []
  const at = list.findIndex((m) => m.id === message.id)
  const next = at >= 0 ? list.map((m, i) => (i === at ? message : m)) : [...list, message]
  return { ...all, [chatId]: next }
}

function setRoomError(chatId: string, error: ErrorValue): void {
  useAppStore.setState((s) => ({ roomErrors: { ...s.roomErrors, [chatId]: error } }))
}

export function clearRoomError(chatId: string): void {
  useAppStore.setState((s) => {
    if (!s.roomErrors[chatId]) return {}
    const { [chatId]: _cleared, ...roomErrors } = s.roomErrors
    return { roomErrors }
  })
}
