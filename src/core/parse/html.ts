/**
 * HTML to sections: the path shared by HTML files, Word documents (through mammoth's HTML) and EPUB
 * chapters. Headings split the text into sections and give each its heading path.
 *
 * html-to-text (and the LangChain HTML loaders built on it) flattens a page into one string and
 * loses the heading structure, so this walks htmlparser2's DOM directly. The walk is iterative:
 * fuzzed or machine-made HTML can nest tens of thousands of elements deep.
 */
import { parseDocument } from 'htmlparser2'
import type { AnyNode, Element } from 'domhandler'
import { SectionList, cleanLine } from './sections.ts'

/** A parsed HTML document, ready to be turned into sections. */
export interface HtmlDocument {
  /** <title>, else the first h1. */
  title?: string
  /** The text of the first heading of any level, for EPUB chapters that the TOC does not name. */
  firstHeading?: string
  /** The element whose content is the document's text: the single <main>, else <body>, else the root. */
  root: AnyNode
}

const SKIPPED = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'svg', 'iframe', 'object', 'embed', 'canvas',
  'audio', 'video', 'select', 'button', 'input', 'textarea', 'nav'
])
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'details', 'dialog',
  'div', 'dl', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr',
  'html', 'legend', 'main', 'menu', 'ol', 'p', 'section', 'summary', 'table', 'tbody', 'tfoot',
  'thead', 'ul'
])
const TIGHT_BLOCKS = new Set(['li', 'dt', 'dd', 'tr'])
const HEADING = /^h([1-6])$/
// Marks a cell boundary in a table row until the row is complete; empty cells are then dropped.
const CELL_SEPARATOR = '\uE000'
// Permalink anchors (Sphinx) and the previous/next bars of DocBook and Publican manuals: on every
// page of a manual, so they would turn up in every search. (DocBook's "sidebar" is content.)
const NAVIGATION_CLASSES = /(?:^|\s)(?:headerlink|navheader|navfooter|docnav|breadcrumbs?|skip-?link)(?:\s|$)/
// Sphinx and many static-site generators append a permalink sign to every heading.
const PERMALINK_SIGNS = /[\s¶§🔗]+$/u

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style'
}

/** Elements that carry no readable content: scripts, navigation, hidden parts, permalink anchors. */
function isSkipped(el: Element): boolean {
  if (SKIPPED.has(el.name)) return true
  const { role, hidden, class: className, style } = el.attribs
  if (role === 'navigation' || role === 'search') return true
  if (hidden !== undefined || el.attribs['aria-hidden'] === 'true') return true
  if (className !== undefined && NAVIGATION_CLASSES.test(className)) return true
  return style !== undefined && /display\s*:\s*none/i.test(style)
}

/** Depth-first, iterative: calls `visit` on each node in document order; `false` skips its children. */
function walk(root: AnyNode, visit: (node: AnyNode) => boolean): void {
  const stack: AnyNode[] = [root]
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode
    if (!visit(node) || !('children' in node)) continue
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i])
  }
}

/** The readable text inside an element, on one line. */
function inlineText(el: AnyNode): string {
  const parts: string[] = []
  walk(el, (node) => {
    if (node.type === 'text') parts.push(node.data)
    return !(isElement(node) && node !== el && isSkipped(node))
  })
  return cleanLine(parts.join(''))
}

/** The text of a <pre> block with its line breaks and indentation kept. */
function preformattedText(el: AnyNode): string {
  const parts: string[] = []
  walk(el, (node) => {
    if (node.type === 'text') parts.push(node.data)
    else if (isElement(node) && node.name === 'br') parts.push('\n')
    return !(isElement(node) && isSkipped(node))
  })
  return parts.join('').replace(/^\n+|\s+$/g, '')
}

function headingText(el: Element): string {
  return inlineText(el).replace(PERMALINK_SIGNS, '')
}

/**
 * Parses HTML or XHTML. `xhtml` makes `<a/>`-style self-closing tags close, as XML requires;
 * in HTML mode a self-closed `<script/>` would otherwise swallow the rest of the page.
 */
export function parseHtml(html: string, options: { xhtml?: boolean } = {}): HtmlDocument {
  const dom = parseDocument(html, { recognizeSelfClosing: options.xhtml === true, decodeEntities: true })
  let title: string | undefined
  let firstH1: string | undefined
  let firstHeading: string | undefined
  let body: Element | undefined
  const mains: Element[] = []
  walk(dom, (node) => {
    if (!isElement(node)) return true
    if (node.name === 'title' && title === undefined) title = inlineText(node) || undefined
    if (node.name === 'body' && body === undefined) body = node
    if (node.name === 'main' || node.attribs.role === 'main') mains.push(node)
    const level = HEADING.exec(node.name)?.[1]
    if (level !== undefined && !isSkipped(node)) {
      const text = headingText(node)
      if (text !== '') {
        firstHeading ??= text
        if (level === '1') firstH1 ??= text
      }
      return false
    }
    // <head> is skipped for text, but its <title> is the document's title.
    return node.name === 'head' || !isSkipped(node)
  })
  // A page with one main region (Sphinx's role="main", HTML5 <main>) keeps its menus, sidebars and
  // footers outside it: reading only the main region keeps them out of the index.
  const root = mains.length === 1 && inlineText(mains[0]) !== '' ? mains[0] : (body ?? dom)
  return { title: title ?? firstH1, firstHeading, root }
}

type Separator = '\n' | '\n\n'

/** Builds the text of one section from inline runs and blocks. */
class TextBuilder {
  private blocks: string[] = []
  private line: string[] = []
  private pendingSeparator: Separator | null = null
  private prefix = ''

  inline(text: string): void {
    this.line.push(text)
  }

  /** Ends the current line or paragraph; the stronger of two pending separators wins. */
  boundary(separator: Separator): void {
    let text = this.line.join('').replace(/[ \t]+/g, ' ').replace(/ ?\n ?/g, '\n').trim()
    if (text.includes(CELL_SEPARATOR)) {
      text = text.split(CELL_SEPARATOR).map((cell) => cell.trim()).filter((cell) => cell !== '').join(' | ')
    }
    this.line = []
    if (text !== '') this.push(this.prefix + text)
    if (this.pendingSeparator !== '\n\n') this.pendingSeparator = separator
  }

  /** A list marker that is written before the next non-empty line only. */
  setPrefix(prefix: string): void {
    this.prefix = prefix
  }

  /** A block whose text is kept exactly as given: a <pre>, or a heading. */
  block(text: string): void {
    this.boundary('\n\n')
    if (text.trim() !== '') this.push(text)
    this.pendingSeparator = '\n\n'
  }

  private push(text: string): void {
    if (this.blocks.length > 0) this.blocks.push(this.pendingSeparator ?? '\n')
    this.blocks.push(text)
    this.pendingSeparator = null
    this.prefix = ''
  }

  /** Returns the text so far and starts afresh. */
  take(): string {
    this.boundary('\n\n')
    const text = this.blocks.join('')
    this.blocks = []
    this.pendingSeparator = null
    return text
  }
}

/** Appends the sections of `doc` to `sink`; every heading path starts with `baseHeadings`. */
export function addHtmlSections(doc: HtmlDocument, sink: SectionList, baseHeadings: readonly string[] = []): void {
  const builder = new TextBuilder()
  const headingStack: { level: number; text: string }[] = []
  const currentPath = (): string[] => [...baseHeadings, ...headingStack.map((h) => h.text)]
  // Inside table cells block elements become spaces so that each row stays on one line.
  let cellDepth = 0
  let listDepth = 0
  const rowCells: number[] = []
  const orderedCounters: (number | null)[] = []

  type Frame = { node: AnyNode; exit: boolean }
  const stack: Frame[] = [{ node: doc.root, exit: false }]
  while (stack.length > 0) {
    const { node, exit } = stack.pop() as Frame
    if (node.type === 'text') {
      builder.inline(node.data.replace(/[ \t\n\r\f]+/g, ' '))
      continue
    }
    if (!isElement(node)) {
      if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], exit: false })
      continue
    }
    const name = node.name
    if (exit) {
      if (name === 'td' || name === 'th') cellDepth--
      else if (name === 'tr') rowCells.pop()
      else if (name === 'ul' || name === 'ol') {
        listDepth--
        orderedCounters.pop()
      }
      if (cellDepth > 0) builder.inline(' ')
      else if (TIGHT_BLOCKS.has(name)) builder.boundary('\n')
      else if (BLOCKS.has(name)) builder.boundary(listDepth > 0 ? '\n' : '\n\n')
      // An empty list item must not lend its marker to whatever follows the list.
      if (name === 'li') builder.setPrefix('')
      continue
    }
    if (isSkipped(node)) continue
    const level = HEADING.exec(name)?.[1]
    if (level !== undefined) {
      const text = headingText(node)
      if (text !== '') {
        sink.add(builder.take(), currentPath())
        const depth = Number(level)
        while (headingStack.length > 0 && headingStack[headingStack.length - 1].level >= depth) headingStack.pop()
        headingStack.push({ level: depth, text })
        // The heading also leads its section's text, so that a heading with nothing under it is not lost.
        builder.block(text)
      }
      continue
    }
    if (name === 'br') {
      builder.inline('\n')
      continue
    }
    if (name === 'pre' && cellDepth === 0) {
      builder.block(preformattedText(node))
      continue
    }
    if (cellDepth > 0) builder.inline(' ')
    else if (TIGHT_BLOCKS.has(name)) builder.boundary('\n')
    else if (BLOCKS.has(name)) builder.boundary(listDepth > 0 ? '\n' : '\n\n')

    if (name === 'ul' || name === 'ol') {
      listDepth++
      orderedCounters.push(name === 'ol' ? Number(node.attribs.start ?? '1') || 1 : null)
    } else if (name === 'li' && cellDepth === 0) {
      const counter = orderedCounters[orderedCounters.length - 1]
      const indent = '  '.repeat(Math.max(0, listDepth - 1))
      if (typeof counter === 'number') {
        builder.setPrefix(`${indent}${counter}. `)
        orderedCounters[orderedCounters.length - 1] = counter + 1
      } else {
        builder.setPrefix(`${indent}- `)
      }
    } else if (name === 'tr') {
      rowCells.push(0)
    } else if (name === 'td' || name === 'th') {
      const cells = rowCells[rowCells.length - 1] ?? 0
      if (cells > 0) builder.inline(CELL_SEPARATOR)
      if (rowCells.length > 0) rowCells[rowCells.length - 1] = cells + 1
      cellDepth++
    }
    stack.push({ node, exit: true })
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], exit: false })
  }
  sink.add(builder.take(), currentPath())
}
