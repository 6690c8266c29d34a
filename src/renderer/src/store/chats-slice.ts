import type { StateCreator } from 'zustand'
import type { ChatValue, RequestOutput } from '../../../shared/contract'
import type { AppState } from './index'

export type ChatSearchHit = RequestOutput<'chats.search'>[number]

/** A search hit the user opened: its chat shows the message, its match marked (see MessageList). */
export interface FoundMessage {
  chatId: string
  messageId: string
  query: string
}

/** The chat list, which chat is open, and search across chats. */
export interface ChatsSlice {
  /** Most recent first. */
  chats: ChatValue[]
  chatsLoaded: boolean
  currentChatId: string | null
  chatSearchQuery: string
  /** The latest results and the query they answer (the box may hold a newer one); null when no search is active. */
  chatSearchHits: { query: string; hits: ChatSearchHit[] } | null
  /** The chat whose title is being edited, if any. */
  renamingChatId: string | null
  /** The search hit to show once its chat's messages are on screen; cleared when shown. */
  foundMessage: FoundMessage | null
}

export const createChatsSlice: StateCreator<AppState, [], [], ChatsSlice> = () => ({
  chats: [],
  chatsLoaded: false,
  currentChatId: null,
  chatSearchQuery: '',
  chatSearchHits: null,
  renamingChatId: null,
  foundMessage: null
})
