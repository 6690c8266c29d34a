/**
 * The question box. Enter sends and Shift+Enter adds a line, but an Enter that confirms an IME
 * composition (Chinese, Japanese, Korean input) never sends: the composition events, the event's
 * own isComposing, and keyCode 229 (what Safari and some IMEs report) are all checked, because
 * each browser and IME gets at least one of them wrong.
 */
import { useRef, useState, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { ask, stopAnswer } from '../../actions/room'
import { createChat } from '../../actions/chats'
import { useAppStore } from '../../store'

const IME_PROCESSING_KEYCODE = 229

export function Composer({ chatId }: { chatId: string | null }) {
  const { t } = useTranslation()
  const streaming = useAppStore((s) => (chatId ? s.streams[chatId] !== undefined : false))
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const composing = useRef(false)

  const send = async (): Promise<void> => {
    const question = text.trim()
    if (!question || sending || streaming) return
    setSending(true)
    // A chat started here is titled by the host after its first question.
    const target = chatId ?? (await createChat())
    const sent = target !== null && (await ask(target, question))
    setSending(false)
    // A refused question stays in the box to be sent again.
    if (sent) setText((current) => (current.trim() === question ? '' : current))
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key !== 'Enter' || event.shiftKey) return
    if (composing.current || event.nativeEvent.isComposing || event.keyCode === IME_PROCESSING_KEYCODE) return
    event.preventDefault()
    void send()
  }

  const lines = Math.min(8, Math.max(1, text.split('\n').length))
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault()
        void send()
      }}
    >
      <label className="visually-hidden" htmlFor="composer-input">
        {t('chat.composerLabel')}
      </label>
      <textarea
        id="composer-input"
        className="composer-input"
        rows={lines}
        value={text}
        placeholder={t('chat.composerPlaceholder')}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onCompositionStart={() => {
          composing.current = true
        }}
        onCompositionEnd={() => {
          composing.current = false
        }}
        maxLength={8000}
      />
      {streaming && chatId ? (
        <button type="button" className="button button-stop" onClick={() => void stopAnswer(chatId)}>
          ■ {t('chat.stop')}
        </button>
      ) : (
        <button type="submit" className="button button-primary" disabled={sending || !text.trim()}>
          {t('chat.send')}
        </button>
      )}
    </form>
  )
}
