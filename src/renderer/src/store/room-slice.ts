import type { StateCreator } from 'zustand'
import type { ErrorValue, HitValue, MessageValue } from '../../../shared/contract'
import type { AppState } from './index'

/** An answer being written in a room, as its events arrive. */
export interface StreamState {
  answerId: string
  /** 'searching' and 'thinking' come from `loading`; 'writing' once the first token arrives. */
  stage: 'searching' | 'thinking' | 'writing'
  text: string
  /** The sources the answer may cite, numbered from 1 in this order. */
  hits: HitValue[]
}

/** Messages of the rooms this window has opened, and the answers streaming into them. */
export interface RoomSlice {
  /** Per chat id; absent until the chat's messages are loaded. */
  messagesByChat: Record<string, MessageValue[]>
  streams: Record<string, StreamState>
  /** The last error of a room (an ask that was refused, an answer that failed), shown above the composer. */
  roomErrors: Record<string, ErrorValue>
}

export const createRoomSlice: StateCreator<AppState, [], [], RoomSlice> = () => ({
  messagesByChat: {},
  streams: {},
  roomErrors: {}
})
