import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { MessageValue } from '../../../../shared/contract'
import { confirmDeleteChat, exportChat, renameChat, startRenaming } from '../../actions/chats'
import { navigate } from '../../actions/ui'
import { useAppStore } from '../../store'
import { Composer } from './Composer'
import { MessageList } from './MessageList'

const NO_MESSAGES: MessageValue[] = []

/** The open chat: its title and actions, its messages and stream, the composer. */
export function ChatView() {
  const chatId = useAppStore((s) => s.currentChatId)
  return (
    <section className="chat-view" aria-labelledby="chat-title">
      {chatId ? <ChatHeader chatId={chatId} /> : <h1 id="chat-title" className="visually-hidden">DocuMind</h1>}
      {/* Keyed by chat so scroll position and stream status start afresh; the two keys must differ, being siblings. */}
      {chatId ? <ChatBody key={`messages:${chatId}`} chatId={chatId} /> : <Welcome />}
      <RoomError chatId={chatId} />
      <StreamAnnouncer key={`status:${chatId ?? ''}`} chatId={chatId} />
      <Composer chatId={chatId} />
    </section>
  )
}

function ChatBody({ chatId }: { chatId: string }) {
  const messages = useAppStore((s) => s.messagesByChat[chatId] ?? NO_MESSAGES)
  const stream = useAppStore((s) => s.streams[chatId])
  if (messages.length === 0 && !stream) return <Welcome />
  return <MessageList chatId={chatId} messages={messages} stream={stream} />
}

function ChatHeader({ chatId }: { chatId: string }) {
  const { t } = useTranslation()
  const chat = useAppStore((s) => s.chats.find((c) => c.id === chatId))
  const renaming = useAppStore((s) => s.renamingChatId === chatId)
  const title = chat?.title || t('chats.untitled')
  return (
    <header className="chat-header">
      {renaming ? <RenameForm chatId={chatId} title={chat?.title ?? ''} /> : <h1 id="chat-title" className="chat-title">{title}</h1>}
      <div className="chat-actions">
        <button type="button" className="button" onClick={() => startRenaming(chatId)} disabled={renaming}>
          {t('chats.rename')}
        </button>
        <button type="button" className="button" onClick={() => void exportChat(chatId)}>
          {t('chats.export')}
        </button>
        <button type="button" className="button button-danger" onClick={() => confirmDeleteChat(chatId)}>
          {t('chats.delete')}
        </button>
      </div>
    </header>
  )
}

function RenameForm({ chatId, title }: { chatId: string; title: string }) {
  const { t } = useTranslation()
  const [value, setValue] = useState(title)
  return (
    <form
      className="rename-form"
      onSubmit={(event) => {
        event.preventDefault()
        void renameChat(chatId, value)
      }}
    >
      <label className="visually-hidden" htmlFor="rename-input">
        {t('chats.renameLabel')}
      </label>
      <input
        id="rename-input"
        className="input"
        value={value}
        maxLength={200}
        autoFocus
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') startRenaming(null)
        }}
      />
      <button type="submit" className="button button-primary">
        {t('chats.save')}
      </button>
      <button type="button" className="button" onClick={() => startRenaming(null)}>
        {t('chats.cancel')}
      </button>
    </form>
  )
}

function Welcome() {
  const { t } = useTranslation()
  const libraryEmpty = useAppStore((s) => s.documentsLoaded && s.documents.length === 0)
  return (
    <div className="welcome">
      <h2>{t('chat.welcomeTitle')}</h2>
      <p>{t('chat.welcomeBody')}</p>
      {libraryEmpty ? (
        <p>
          <button type="button" className="button button-primary" onClick={() => navigate('library')}>
            {t('chat.emptyLibrary')}
          </button>
        </p>
      ) : null}
    </div>
  )
}

function RoomError({ chatId }: { chatId: string | null }) {
  const error = useAppStore((s) => (chatId ? s.roomErrors[chatId] : undefined))
  if (!error) return null
  return (
    <p className="room-error" role="alert">
      {error.message}
    </p>
  )
}

/**
 * Tells screen readers what the answer is doing (searching, thinking, writing, done) without
 * reading every token as it arrives.
 */
function StreamAnnouncer({ chatId }: { chatId: string | null }) {
  const { t } = useTranslation()
  const stage = useAppStore((s) => (chatId ? s.streams[chatId]?.stage : undefined))
  // Remembered from earlier renders (React's pattern for it), so the end of a stream is announced.
  const [hadStream, setHadStream] = useState(false)
  if (stage && !hadStream) setHadStream(true)
  const text = stage === 'searching' ? t('chat.searching') : stage === 'thinking' ? t('chat.thinking') : stage === 'writing' ? t('chat.writing') : hadStream ? t('chat.done') : ''
  return (
    <div className="visually-hidden" aria-live="polite" role="status" data-testid="stream-status">
      {text}
    </div>
  )
}
