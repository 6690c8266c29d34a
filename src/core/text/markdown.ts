import type { Nodes } from 'mdast'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown } from 'mdast-util-gfm'
import { gfm } from 'micromark-extension-gfm'
import { removeMarkers } from '../answer/citations'

// GitHub's Markdown, as the chat view renders it (remark-gfm); made once, as it is not cheap to make.
const PARSE_OPTIONS = { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }
// What the reader sees between two blocks, list items or table cells.
const BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'list', 'listItem', 'code', 'table', 'tableRow', 'tableCell', 'thematicBreak'])

/**
 * The text a reader sees in Markdown, on one line: "**Must** use `dh_make`" gives "Must use
 * dh_make". For places that show a message as plain text, such as the chat list's preview. Raw
 * HTML stays as written, as the chat view shows it; citation markers go, since no chip follows them.
 *
 * Parsing costs about a millisecond per kilobyte of prose (more for lists), so a caller that shows
 * only the start can say how much source it needs (`sourceChars`): the text is then cut at the
 * first blank line after that much.
 */
export function markdownText(markdown: string, sourceChars = Infinity): string {
  const blankLine = Number.isFinite(sourceChars) ? markdown.indexOf('\n\n', sourceChars) : -1
  const source = blankLine === -1 ? markdown : markdown.slice(0, blankLine)
  const parts: string[] = []
  collect(fromMarkdown(source, PARSE_OPTIONS), parts)
  return parts.join('').replace(/\s+/g, ' ').trim()
}

function collect(node: Nodes, parts: string[]): void {
  switch (node.type) {
    case 'text':
      parts.push(removeMarkers(node.value))
      return
    case 'inlineCode':
    case 'code':
    case 'html':
      parts.push(node.value)
      break
    case 'image':
      parts.push(node.alt ?? '')
      break
    case 'break':
      parts.push(' ')
      break
    case 'footnoteDefinition':
    case 'definition':
      return
  }
  if ('children' in node) for (const child of node.children) collect(child, parts)
  if (BLOCKS.has(node.type)) parts.push(' ')
}
