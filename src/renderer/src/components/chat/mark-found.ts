/**
 * Marks where a chat search's words are in a message on screen, with the CSS Custom Highlight
 * API: it paints ranges of the page's text without adding elements, so React's DOM (and the
 * sanitised Markdown in it) is left exactly as rendered.
 *
 * The text is folded the way the chat store's search folds it (NFKC, lower case, a run of white
 * space read as one space), so what the search matched is found again. The store reads an
 * answer's blocks (paragraphs, list items, table cells) with a space between them, so they are read
 * so here; citation chips (with the space before them) and the source list are not in the text it
 * searches, so they are skipped.
 */

const HIGHLIGHT = 'documind-found'
const SKIPPED = '.cite-chip, .sources'
const BLOCK = /^(ADDRESS|ARTICLE|BLOCKQUOTE|DD|DETAILS|DIV|DL|DT|FIGCAPTION|FIGURE|H[1-6]|HR|LI|OL|P|PRE|SECTION|SUMMARY|TABLE|TBODY|TD|TFOOT|TH|THEAD|TR|UL)$/

interface Place {
  node: Text
  start: number
  end: number
}

/**
 * Marks every occurrence of `query` in `root`'s text. Returns a function that removes the marks,
 * and how many there were (0 where the browser has no highlights, or nothing matched).
 */
export function markFound(root: Element, query: string): { count: number; clear: () => void } {
  const none = { count: 0, clear: () => undefined }
  const needle = fold(query.trim())
  if (!needle || typeof Highlight === 'undefined' || !CSS.highlights) return none

  const { text, places } = foldedText(root)
  const ranges: Range[] = []
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    const first = places[at]
    const last = places[at + needle.length - 1]
    const range = document.createRange()
    range.setStart(first.node, first.start)
    range.setEnd(last.node, last.end)
    ranges.push(range)
  }
  if (ranges.length === 0) return none
  const highlight = new Highlight(...ranges)
  CSS.highlights.set(HIGHLIGHT, highlight)
  return {
    count: ranges.length,
    clear: () => {
      if (CSS.highlights.get(HIGHLIGHT) === highlight) CSS.highlights.delete(HIGHLIGHT)
    }
  }
}

/** The chat store's folding (`foldForSearch`), character by character. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ')
}

/** `root`'s text, folded, with where each of its code units came from. */
function foldedText(root: Element): { text: string; places: Place[] } {
  let text = ''
  const places: Place[] = []
  // A space where a block begins or ends, placed at the end of the text before it.
  const blockEdge = (): void => {
    const last = places.at(-1)
    if (!last || text.endsWith(' ')) return
    text += ' '
    places.push({ node: last.node, start: last.end, end: last.end })
  }
  const walk = (parent: Node): void => {
    for (const node of parent.childNodes) {
      if (node instanceof Text) {
        let offset = 0
        for (const char of node.data) {
          let folded = fold(char)
          // A run of white space reads as one space, across nodes too.
          if (folded === ' ' && text.endsWith(' ')) folded = ''
          for (let i = 0; i < folded.length; i++) places.push({ node, start: offset, end: offset + char.length })
          text += folded
          offset += char.length
        }
      } else if (node instanceof Element) {
        if (!node.matches(SKIPPED)) {
          const block = BLOCK.test(node.tagName)
          if (block) blockEdge()
          walk(node)
          if (block) blockEdge()
        }
        // The search's text drops a citation marker with the spaces before it ("rules [1]." reads "rules.").
        else if (text.endsWith(' ')) {
          text = text.slice(0, -1)
          places.pop()
        }
      }
    }
  }
  walk(root)
  return { text, places }
}
