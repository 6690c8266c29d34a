/**
 * The broker: the desktop counterpart of Django Channels' channel layer. A chat room is a group;
 * sessions (windows, browser tabs) join rooms, and a room's events go to every session in it and
 * to no other. Events for everyone (import progress, Ollama status) go to every connected session.
 */
import type { EventName, EventPayload, RoomEvent } from '../../shared/contract'

/** One connected UI (an Electron window, a browser tab): where its events are sent. */
export interface AppSession {
  readonly id: string
  send<N extends EventName>(name: N, payload: EventPayload<N>): void
}

export class Broker {
  private readonly sessions = new Map<string, AppSession>()
  /** chatId -> ids of the sessions in that room. */
  private readonly rooms = new Map<string, Set<string>>()

  connect(session: AppSession): void {
    this.sessions.set(session.id, session)
  }

  isConnected(session: AppSession): boolean {
    return this.sessions.get(session.id) === session
  }

  /** Forgets a session and takes it out of every room. */
  disconnect(sessionId: string): void {
    this.sessions.delete(sessionId)
    for (const [chatId, members] of this.rooms) {
      members.delete(sessionId)
      if (members.size === 0) this.rooms.delete(chatId)
    }
  }

  join(sessionId: string, chatId: string): void {
    let members = this.rooms.get(chatId)
    if (!members) this.rooms.set(chatId, (members = new Set()))
    members.add(sessionId)
  }

  leave(sessionId: string, chatId: string): void {
    const members = this.rooms.get(chatId)
    members?.delete(sessionId)
    if (members?.size === 0) this.rooms.delete(chatId)
  }

  /** Closes a room (its chat was deleted): nobody receives its events any more. */
  closeRoom(chatId: string): void {
    this.rooms.delete(chatId)
  }

  /** Sends a room event to every session in the room, in the order publish is called. */
  publish(event: RoomEvent): void {
    for (const sessionId of this.rooms.get(event.chatId) ?? []) {
      const session = this.sessions.get(sessionId)
      if (session) deliver(session, 'room.event', event)
    }
  }

  /** Sends an event to every connected session. */
  broadcast<N extends EventName>(name: N, payload: EventPayload<N>): void {
    for (const session of this.sessions.values()) deliver(session, name, payload)
  }
}

/** One session that cannot take an event (its window is closing) must not stop the others getting it. */
function deliver<N extends EventName>(session: AppSession, name: N, payload: EventPayload<N>): void {
  try {
    session.send(name, payload)
  } catch (error) {
    console.error(`documind: could not send ${name} to session ${session.id}:`, error)
  }
}
