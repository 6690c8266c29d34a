/**
 * A remark plugin that turns `[n]` citation markers in an answer's text into citation nodes, which
 * the Markdown view renders as chips. It works on the Markdown tree, not the raw string, so
 * markers inside code and links stay as written, and HTML in the text can never forge a chip
 * (react-markdown turns raw HTML into plain text before this runs).
 */

/** The part of an mdast node this plugin reads and writes. */
interface MdNode {
  type: string
  value?: string
  children?: MdNode[]
  data?: Record<string, unknown>
}

// Where a bracketed number is code or a link's text, it is not a citation.
const SKIP = new Set(['code', 'inlineCode', 'link', 'linkReference', 'definition', 'html'])
// Markers as the model writes them while streaming; once done the host rewrites them all to [n].
const MARKER = /[[［【]\s*(\d{1,3})\s*[\]］】]/g

export function remarkCitations() {
  return (tree: MdNode): void => visit(tree)
}

function visit(node: MdNode): void {
  if (!node.children || SKIP.has(node.type)) return
  const merged = mergeTexts(node.children)
  node.children = merged.flatMap((child) => {
    if (child.type === 'text' && typeof child.value === 'string') return splitMarkers(child.value)
    visit(child)
    return [child]
  })
}

/** The parser may split "[1]" across text nodes (it tried to read a link); join them back. */
function mergeTexts(children: MdNode[]): MdNode[] {
  const out: MdNode[] = []
  for (const child of children) {
    const previous = out.at(-1)
    if (child.type === 'text' && previous?.type === 'text') out[out.length - 1] = { type: 'text', value: (previous.value ?? '') + (child.value ?? '') }
    else out.push(child)
  }
  return out
}

function splitMarkers(text: string): MdNode[] {
  const nodes: MdNode[] = []
  let last = 0
  for (const match of text.matchAll(MARKER)) {
    if (match.index > last) nodes.push({ type: 'text', value: text.slice(last, match.index) })
    const n = Number(match[1])
    nodes.push({
      type: 'citation',
      data: { hName: 'span', hProperties: { dataCite: String(n) }, hChildren: [{ type: 'text', value: `[${n}]` }] }
    })
    last = match.index + match[0].length
  }
  if (last === 0) return [{ type: 'text', value: text }]
  if (last < text.length) nodes.push({ type: 'text', value: text.slice(last) })
  return nodes
}
