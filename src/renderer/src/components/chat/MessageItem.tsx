import { memo, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import type { CitationValue, MessageValue } from '../../../../shared/contract'
import type { StreamState } from '../../store'
import { CitationChip } from './CitationChip'
import { Markdown, type CitationLookup } from './Markdown'

/** One message of a chat: a question, a finished (or stopped, failed, interrupted) answer. */
export const MessageItem = memo(function MessageItem({ message }: { message: MessageValue }) {
  const { t } = useTranslation()
  const lookup = useMemo(() => lookupIn(message.citations), [message.citations])
  if (message.role === 'user') {
    return (
      <article className="message message-user" aria-label={t('chat.you')}>
        <div className="message-body user-text">{message.text}</div>
      </article>
    )
  }
  const mark = message.status === 'stopped' ? t('chat.stopped') : message.status === 'failed' ? t('chat.failed') : message.status === 'interrupted' ? t('chat.interrupted') : null
  return (
    <article className={`message message-assistant status-${message.status}`} aria-label={t('chat.assistant')} data-message-status={message.status}>
      {message.text ? <Markdown text={message.text} lookup={lookup} /> : null}
      {message.noMatch ? <p className="message-note">{t('chat.noMatch')}</p> : null}
      {mark ? (
        <p className="message-mark" role="note">
          {mark}
        </p>
      ) : null}
      {message.mode === 'extractive' || message.notice ? (
        <p className="message-note notice-extractive" role="note">
          {message.notice ?? t('chat.extractive')}
        </p>
      ) : null}
      <SourceList citations={message.citations} />
    </article>
  )
})

/** The answer being written: the stage while retrieval and the model warm up, then the text. */
export function StreamingItem({ stream }: { stream: StreamState }) {
  const { t } = useTranslation()
  const lookup = useMemo(() => lookupIn(stream.hits.map((hit, i) => ({ ...hit, n: i + 1 }))), [stream.hits])
  return (
    <article className="message message-assistant status-streaming" aria-label={t('chat.assistant')} aria-busy="true" data-message-status="streaming">
      {stream.stage === 'searching' ? (
        <p className="stage stage-searching">
          <span className="spinner" aria-hidden="true" />
          {t('chat.searching')}
        </p>
      ) : null}
      {stream.stage === 'thinking' && !stream.text ? (
        <p className="stage stage-thinking">
          <span className="typing" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {t('chat.thinking')}
        </p>
      ) : null}
      {stream.text ? <Markdown text={stream.text} lookup={lookup} /> : null}
    </article>
  )
}

function SourceList({ citations }: { citations: CitationValue[] }) {
  const { t } = useTranslation()
  if (citations.length === 0) return null
  return (
    <section className="sources" aria-label={t('chat.sources')}>
      <h3 className="sources-title">{t('chat.sources')}</h3>
      <ol className="source-list">
        {citations.map((c) => (
          <li key={c.n}>
            <CitationChip citation={c} />
            <span className="source-doc">{c.document}</span>
            {c.page !== null ? <span className="source-page">{t('citation.page', { page: c.page })}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  )
}

function lookupIn(citations: CitationValue[]): CitationLookup {
  const byNumber = new Map(citations.map((c) => [c.n, c]))
  return (n) => byNumber.get(n)
}
