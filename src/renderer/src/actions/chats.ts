/** The chat list: load, create, rename, delete, search, export. */
import { client } from '../client'
import { i18n } from '../i18n'
import { useAppStore, type ChatSearchHit } from '../store'
import { dropRoom } from './room'
import { askToConfirm, navigate, showNotice } from './ui'

export async function loadChats(): Promise<void> {
  const result = await client().invoke('chats.list', {})
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  const chats = [...result.value].sort((a, b) => b.updatedAt - a.updatedAt)
  useAppStore.setState({ chats, chatsLoaded: true })
  const open = useAppStore.getState().currentChatId
  if (open && !chats.some((c) => c.id === open)) void leaveIfDeleted(open)
}

/**
 * The open chat is missing from the list: another window may have deleted it (rooms send nothing
 * when their chat goes), or the list was asked for just before this window created it. Only the
 * host can tell which.
 */
async function leaveIfDeleted(chatId: string): Promise<void> {
  const result = await client().invoke('chats.messages', { chatId })
  if (result.ok || result.error.code !== 'not-found' || useAppStore.getState().currentChatId !== chatId) return
  dropRoom(chatId)
  navigate('chat', useAppStore.getState().chats[0]?.id ?? null, true)
}

let reloadTimer: ReturnType<typeof setTimeout> | null = null

/** `chats.changed` comes with every question and answer: reload the list at most a few times a second. */
export function chatsChanged(): void {
  reloadTimer ??= setTimeout(() => {
    reloadTimer = null
    void loadChats()
    const query = useAppStore.getState().chatSearchQuery
    if (query.trim()) void runSearch(query)
  }, 250)
}

/** Creates a chat and opens it; returns its id, or null when the host refused. */
export async function createChat(title?: string): Promise<string | null> {
  const result = await client().invoke('chats.create', title ? { title } : {})
  if (!result.ok) {
    showNotice(result.error.message)
    return null
  }
  const chat = result.value
  useAppStore.setState((s) => ({ chats: [chat, ...s.chats.filter((c) => c.id !== chat.id)], messagesByChat: { ...s.messagesByChat, [chat.id]: [] } }))
  navigate('chat', chat.id)
  return chat.id
}

export function startRenaming(chatId: string | null): void {
  useAppStore.setState({ renamingChatId: chatId })
}

export async function renameChat(chatId: string, title: string): Promise<void> {
  useAppStore.setState({ renamingChatId: null })
  if (!title.trim()) return
  const result = await client().invoke('chats.rename', { chatId, title })
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  useAppStore.setState((s) => ({ chats: s.chats.map((c) => (c.id === chatId ? result.value : c)) }))
}

export function confirmDeleteChat(chatId: string): void {
  const chat = useAppStore.getState().chats.find((c) => c.id === chatId)
  const title = chat?.title || i18n.t('chats.untitled')
  askToConfirm(i18n.t('chats.deleteConfirm', { title }), i18n.t('chats.delete'), () => void deleteChat(chatId))
}

async function deleteChat(chatId: string): Promise<void> {
  const result = await client().invoke('chats.delete', { chatId })
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  dropRoom(chatId)
  const { chats, currentChatId } = useAppStore.getState()
  const remaining = chats.filter((c) => c.id !== chatId)
  useAppStore.setState({ chats: remaining })
  if (currentChatId === chatId) navigate('chat', remaining[0]?.id ?? null, true)
}

let searchTimer: ReturnType<typeof setTimeout> | undefined

/** Searches across chats as the user types (debounced). */
export function searchChats(query: string): void {
  useAppStore.setState({ chatSearchQuery: query })
  clearTimeout(searchTimer)
  if (!query.trim()) {
    useAppStore.setState({ chatSearchHits: null })
    return
  }
  searchTimer = setTimeout(() => void runSearch(query), 200)
}

/** Opens a search hit: its chat, scrolled to the message found, with `query` (what found it) marked. */
export function openSearchHit(hit: ChatSearchHit, query: string): void {
  useAppStore.setState({ foundMessage: { chatId: hit.chatId, messageId: hit.messageId, query: query.trim() } })
  navigate('chat', hit.chatId)
}

async function runSearch(query: string): Promise<void> {
  const result = await client().invoke('chats.search', { query: query.trim().slice(0, 500) })
  // Only the answer to the latest query counts.
  if (useAppStore.getState().chatSearchQuery !== query) return
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  useAppStore.setState({ chatSearchHits: { query, hits: result.value } })
}

/** Exports a chat as Markdown with its sources, saved through the browser's download. */
export async function exportChat(chatId: string): Promise<void> {
  const result = await client().invoke('chats.export', { chatId })
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  const url = URL.createObjectURL(new Blob([result.value.markdown], { type: 'text/markdown;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = result.value.fileName
  document.body.append(link)
  link.click()
  link.remove()
  // The download has its own copy by the next tick; the URL is not needed after.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
  showNotice(i18n.t('chats.exported', { file: result.value.fileName }))
}
