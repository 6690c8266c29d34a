/** The side bar: the views, a new chat, search across chats, and the chat list (most recent first). */
import { useTranslation } from 'react-i18next'
import { createChat, openSearchHit, searchChats } from '../actions/chats'
import { navigate } from '../actions/ui'
import { useAppStore } from '../store'

export function Sidebar() {
  const { t } = useTranslation()
  const view = useAppStore((s) => s.view)
  const query = useAppStore((s) => s.chatSearchQuery)
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-name">{t('app.name')}</span>
        <span className="brand-tagline">{t('app.tagline')}</span>
      </div>
      <nav className="views" aria-label={t('nav.main')}>
        <button type="button" className="nav-button" aria-current={view === 'chat' ? 'page' : undefined} onClick={() => navigate('chat', useAppStore.getState().currentChatId)}>
          {t('nav.chats')}
        </button>
        <button type="button" className="nav-button" aria-current={view === 'library' ? 'page' : undefined} onClick={() => navigate('library')}>
          {t('nav.library')}
        </button>
        <button type="button" className="nav-button" aria-current={view === 'settings' ? 'page' : undefined} onClick={() => navigate('settings')}>
          {t('nav.settings')}
        </button>
      </nav>
      <button type="button" className="button button-primary new-chat" onClick={() => void createChat()}>
        + {t('chats.new')}
      </button>
      <input
        type="search"
        className="input chat-search"
        placeholder={t('chats.search')}
        aria-label={t('chats.search')}
        value={query}
        onChange={(event) => searchChats(event.target.value)}
        onKeyDown={(event) => event.key === 'Escape' && searchChats('')}
      />
      {query.trim() ? <SearchResults /> : <ChatList />}
    </aside>
  )
}

function ChatList() {
  const { t } = useTranslation()
  const chats = useAppStore((s) => s.chats)
  const loaded = useAppStore((s) => s.chatsLoaded)
  const currentChatId = useAppStore((s) => s.currentChatId)
  const view = useAppStore((s) => s.view)
  if (loaded && chats.length === 0) return <p className="muted sidebar-empty">{t('chats.empty')}</p>
  return (
    <nav className="chat-list" aria-label={t('chats.list')}>
      <ul>
        {chats.map((chat) => (
          <li key={chat.id}>
            <button
              type="button"
              className="chat-item"
              aria-current={view === 'chat' && chat.id === currentChatId ? 'page' : undefined}
              onClick={() => navigate('chat', chat.id)}
            >
              <span className="chat-item-title">{chat.title || t('chats.untitled')}</span>
              <span className="chat-item-preview">{chat.preview || t('chats.messages', { count: chat.messageCount })}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function SearchResults() {
  const { t } = useTranslation()
  const results = useAppStore((s) => s.chatSearchHits)
  if (results === null) return null
  const { query, hits } = results
  if (hits.length === 0) return <p className="muted sidebar-empty">{t('chats.noResults')}</p>
  return (
    <nav className="chat-list" aria-label={t('chats.searchResults')}>
      <ul>
        {hits.map((hit) => (
          <li key={`${hit.chatId}:${hit.messageId}`}>
            <button type="button" className="chat-item" onClick={() => openSearchHit(hit, query)}>
              <span className="chat-item-title">{hit.chatTitle || t('chats.untitled')}</span>
              <span className="chat-item-preview">{hit.snippet}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
