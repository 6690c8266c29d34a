/**
 * A cited passage in context. Chunks keep their offsets into the document's text and overlap a
 * little, so the text around a chunk is rebuilt from its neighbours without reparsing the file.
 */
import type { Passage } from '../store/passage'

export const CONTEXT_CHARS = 600

export interface PassageText {
  before: string
  text: string
  after: string
  chunk: Passage
}

/** The chunk with about `context` characters of the document before and after it; null if it is gone. */
export function passageInContext(chunks: Passage[], chunkId: string, context = CONTEXT_CHARS): PassageText | null {
  const chunk = chunks.find((c) => c.id === chunkId)
  if (!chunk) return null
  const ordered = [...chunks].sort((a, b) => a.start - b.start)
  const before = textBetween(ordered, chunk.start - context, chunk.start)
  const after = textBetween(ordered, chunk.end, chunk.end + context)
  const documentEnd = Math.max(...chunks.map((c) => c.end))
  return { before: fromWordStart(before, chunk.start - context > 0), text: chunk.text, after: toWordEnd(after, chunk.end + context < documentEnd), chunk }
}

/**
 * The document's text between two offsets, as far as chunks cover it. Gaps between chunks are
 * the whitespace the chunker trimmed (between sections, a blank line), so they become one.
 */
function textBetween(chunks: Passage[], from: number, to: number): string {
  let cursor = Math.max(0, from)
  let out = ''
  for (const chunk of chunks) {
    if (chunk.end <= cursor || chunk.start >= to) continue
    if (chunk.start > cursor) {
      if (out !== '') out += '\n\n'
      cursor = chunk.start
    }
    const end = Math.min(to, chunk.end)
    out += chunk.text.slice(cursor - chunk.start, end - chunk.start)
    cursor = end
  }
  return out
}

/** Drops a word cut in half at the start of the context (when the cut fell inside the text). */
function fromWordStart(text: string, cut: boolean): string {
  if (!cut) return text
  const space = text.search(/\s/)
  return space > 0 && space < 40 ? text.slice(space).trimStart() : text
}

function toWordEnd(text: string, cut: boolean): string {
  if (!cut) return text
  const space = text.search(/\s\S*$/)
  return space > 0 && text.length - space < 40 ? text.slice(0, space) : text
}
