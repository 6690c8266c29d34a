/**
 * One store of typed slices (zustand's slices pattern). Slices hold state only; the actions that
 * change it are plain functions in ../actions, so components select one field per hook and call
 * actions without subscribing to them.
 */
import { create } from 'zustand'
import { createChatsSlice, type ChatsSlice } from './chats-slice'
import { createLibrarySlice, type LibrarySlice } from './library-slice'
import { createRoomSlice, type RoomSlice } from './room-slice'
import { createSettingsSlice, type SettingsSlice } from './settings-slice'
import { createUiSlice, type UiSlice } from './ui-slice'

export type AppState = ChatsSlice & RoomSlice & LibrarySlice & SettingsSlice & UiSlice

export const useAppStore = create<AppState>()((...a) => ({
  ...createChatsSlice(...a),
  ...createRoomSlice(...a),
  ...createLibrarySlice(...a),
  ...createSettingsSlice(...a),
  ...createUiSlice(...a)
}))

export type { ChatSearchHit, FoundMessage } from './chats-slice'
export type { StreamState } from './room-slice'
export type { PullProgress } from './settings-slice'
export type { View, CitationPanelState, Confirmation, Passage } from './ui-slice'
