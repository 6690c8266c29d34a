import type { StateCreator } from 'zustand'
import type { ChatValue, RequestOutput } from '../../../shared/contract'
import type { AppState } from './index'

export type ChatSearchHit = RequestOutput<'chats.search'>[number]

/** The chat list, which chat is open, and search across chats. */
export interface ChatsSlice {
  /** Most recent first. */
  chats: ChatValue[]
  chatsLoaded: boolean
  currentChatId: string | null
  chatSearchQuery: string
  /** null when no search is active. */
  chatSearchHits: ChatSearchHit[] | null
  /** The chat whose title is being edited, if any. */
  renamingChatId: string | null
}

export const createChatsSlice: StateCreator<AppState, [], [], ChatsSlice> = () => ({
  chats: [],
  chatsLoaded: false,
  currentChatId: null,
  chatSearchQuery: '',
  chatSearchHits: null,
  renamingChatId: null
})
