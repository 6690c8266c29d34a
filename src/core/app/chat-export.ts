/**
 * A chat as a Markdown file: each question and answer in order, and under each answer the sources
 * it cites (document, page, file path), so the export stands on its own outside DocuMind.
 */
import type { MessageValue } from '../../shared/contract'
import type { ChatRecord } from './chat-store'

const ENDINGS: Partial<Record<MessageValue['status'], string>> = {
  stopped: 'Stopped before the answer was finished.',
  interrupted: 'Interrupted: DocuMind closed before the answer was finished.',
  failed: 'The answer failed before it was finished.'
}

export function exportChat(chat: ChatRecord, now = new Date()): { fileName: string; markdown: string } {
  const parts = [`# ${oneLine(chat.title)}`, `_Exported from DocuMind on ${now.toISOString().slice(0, 10)}._`]
  for (const message of chat.messages) {
    if (message.role === 'user') {
      parts.push(`## Question`, message.text.trim())
      continue
    }
    parts.push(`## Answer${message.model ? ` (${oneLine(message.model)})` : message.mode === 'extractive' ? ' (passages from your documents)' : ''}`)
    if (message.text.trim()) parts.push(message.text.trim())
    const ending = ENDINGS[message.status]
    if (ending) parts.push(`_${ending}_`)
    if (message.notice) parts.push(`> ${oneLine(message.notice)}`)
    if (message.citations.length > 0) {
      parts.push(['**Sources**', '', ...message.citations.map((c) => `${c.n}. ${oneLine(c.document)}${c.page !== null ? `, page ${c.page}` : ''}${c.headings.length ? ` (${oneLine(c.headings.join(' › '))})` : ''} — ${codeSpan(c.path)}`)].join('\n'))
    }
  }
  return { fileName: `${fileNameFor(chat.title)}.md`, markdown: parts.join('\n\n') + '\n' }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** A path as inline code, fenced with more backticks than it contains. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}${longest ? ' ' : ''}${text}${longest ? ' ' : ''}${fence}`
}

/** A file name every system accepts: no separators, reserved or control characters. */
function fileNameFor(title: string): string {
  const safe = oneLine(title).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^[.\s]+|[.\s]+$/g, '')
  return Array.from(safe).slice(0, 80).join('') || 'chat'
}
