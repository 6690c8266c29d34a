/**
 * The messages of the open chat, virtualised (only what is on screen is in the DOM) so a history
 * of thousands of messages scrolls smoothly. It follows the stream to the bottom until the user
 * scrolls up, then offers a "jump to latest" button instead of pulling them back down. A chat
 * opened from a search hit scrolls to the message found instead, outlined, its match marked.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type WheelEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { MessageValue } from '../../../../shared/contract'
import { useAppStore, type FoundMessage, type StreamState } from '../../store'
import { markFound } from './mark-found'
import { MessageItem, StreamingItem } from './MessageItem'

type Row = { kind: 'message'; message: MessageValue } | { kind: 'stream'; stream: StreamState }

// How close to the bottom still counts as "at the bottom" (a line's height, roughly).
const BOTTOM_SLACK_PX = 48
const SCROLL_UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home'])

export function MessageList({ chatId, messages, stream }: { chatId: string; messages: MessageValue[]; stream: StreamState | undefined }) {
  const { t } = useTranslation()
  const scrollRef = useRef<HTMLDivElement>(null)
  const followingRef = useRef(true)
  const [following, setFollowing] = useState(true)

  // A streamed answer already in the list (joined mid-answer) is drawn from the stream.
  const rows: Row[] = messages.filter((m) => !(stream && m.id === stream.answerId)).map((message) => ({ kind: 'message', message }))
  if (stream) rows.push({ kind: 'stream', stream })

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 140,
    overscan: 6,
    getItemKey: (index) => {
      const row = rows[index]
      return row.kind === 'message' ? row.message.id : `stream-${row.stream.answerId}`
    }
  })

  const scrollToBottom = useCallback(() => {
    const element = scrollRef.current
    if (element) element.scrollTop = element.scrollHeight
  }, [])

  const onScroll = useCallback(() => {
    const element = scrollRef.current
    if (!element) return
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < BOTTOM_SLACK_PX
    followingRef.current = atBottom
    setFollowing(atBottom)
  }, [])

  // A wheel or key that scrolls up says "stop following" at once: waiting for the scroll event
  // would let a token arriving in between pull the reader back to the bottom.
  const stopFollowing = useCallback(() => {
    followingRef.current = false
    setFollowing(false)
  }, [])
  const onWheel = useCallback((event: WheelEvent<HTMLDivElement>) => event.deltaY < 0 && stopFollowing(), [stopFollowing])
  const onKeyDown = useCallback((event: KeyboardEvent<HTMLDivElement>) => SCROLL_UP_KEYS.has(event.key) && stopFollowing(), [stopFollowing])

  const totalSize = virtualizer.getTotalSize()
  const streamText = stream?.text.length ?? -1
  useLayoutEffect(() => {
    if (followingRef.current) scrollToBottom()
  }, [rows.length, streamText, totalSize, scrollToBottom])

  // A search hit opened in this chat: once its message is in the list, scroll to it and stop
  // following (which would pull the view to the bottom), then let the hit go so that the stream
  // does not scroll back to it. It stays outlined, its match marked, until another hit is opened.
  const found = useAppStore((s) => (s.foundMessage?.chatId === chatId ? s.foundMessage : null))
  const [shown, setShown] = useState<FoundMessage | null>(null)
  const foundIndex = found ? rows.findIndex((row) => row.kind === 'message' && row.message.id === found.messageId) : -1
  useLayoutEffect(() => {
    if (!found || foundIndex < 0) return
    followingRef.current = false
    setFollowing(false)
    virtualizer.scrollToIndex(foundIndex, { align: 'center' })
    // A chat that fits the window does not scroll, so no scroll event says it is at its latest.
    requestAnimationFrame(() => {
      const element = scrollRef.current
      if (element && element.scrollHeight - element.clientHeight < BOTTOM_SLACK_PX) onScroll()
    })
    setShown(found)
    useAppStore.setState({ foundMessage: null })
  }, [found, foundIndex, virtualizer, onScroll])
  const shownRow = shown ? rows.find((row) => row.kind === 'message' && row.message.id === shown.messageId) : undefined
  const shownText = shownRow?.kind === 'message' ? shownRow.message.text : null
  const shownOnScreen = shown !== null && virtualizer.getVirtualItems().some((item) => rows[item.index] === shownRow)
  useEffect(() => {
    if (!shown || !shownOnScreen) return
    const row = scrollRef.current?.querySelector(`[data-message-id="${CSS.escape(shown.messageId)}"]`)
    return row ? markFound(row, shown.query).clear : undefined
  }, [shown, shownOnScreen, shownText])

  const jump = (): void => {
    followingRef.current = true
    setFollowing(true)
    scrollToBottom()
  }

  return (
    <div className="message-scroll-wrap">
      <div ref={scrollRef} className="message-scroll" onScroll={onScroll} onWheel={onWheel} onKeyDown={onKeyDown} role="region" aria-label={t('chat.messages')} tabIndex={0}>
        <div className="message-canvas" style={{ height: totalSize }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]
            const messageId = row.kind === 'message' ? row.message.id : undefined
            return (
              <div
                key={item.key}
                data-index={item.index}
                data-message-id={messageId}
                ref={virtualizer.measureElement}
                className={messageId !== undefined && messageId === shown?.messageId ? 'message-row message-found' : 'message-row'}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {row.kind === 'message' ? <MessageItem message={row.message} /> : <StreamingItem stream={row.stream} />}
              </div>
            )
          })}
        </div>
      </div>
      {following ? null : (
        <button type="button" className="jump-latest" onClick={jump}>
          ↓ {t('chat.jumpToLatest')}
        </button>
      )}
    </div>
  )
}
