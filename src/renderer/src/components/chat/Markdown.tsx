/**
 * Markdown of answers and passages, rendered safely: no rehype-raw, so HTML in a model's answer
 * or a document shows as text; links and images fetch and open nothing (a `javascript:` link is
 * just words); `[n]` markers become citation chips.
 */
import { createContext, memo, useContext, type ReactNode } from 'react'
import ReactMarkdown, { type Components } from 'react-markdown'
import remarkGfm from 'remark-gfm'
import type { CitationValue } from '../../../../shared/contract'
import { CitationChip } from './CitationChip'
import { remarkCitations } from './remark-citations'

/** Finds the source a chip points to; undefined leaves the marker as text. */
export type CitationLookup = (n: number) => CitationValue | undefined

const CitationContext = createContext<CitationLookup>(() => undefined)

const SAFE_LINK = /^(https?:|mailto:)/i

const components: Components = {
  span({ node: _node, children, ...props }) {
    const cite = (props as Record<string, unknown>)['data-cite']
    if (typeof cite === 'string') return <CiteMarker n={Number(cite)}>{children}</CiteMarker>
    return <span {...props}>{children}</span>
  },
  // A link in an answer could lead anywhere (or run script): show its words, and its address
  // when it is an ordinary web address, but follow nothing.
  a({ href, children }) {
    const shown = typeof href === 'string' && SAFE_LINK.test(href) ? href : undefined
    return (
      <span className="md-link" title={shown}>
        {children}
      </span>
    )
  },
  // Images would be fetched from wherever they point: show their description instead.
  img({ alt }) {
    return <span className="md-image">[{alt || 'image'}]</span>
  }
}

function CiteMarker({ n, children }: { n: number; children: ReactNode }): ReactNode {
  const citation = useContext(CitationContext)(n)
  return citation ? <CitationChip citation={citation} /> : <>{children}</>
}

const remarkPlugins = [remarkGfm, remarkCitations]

export const Markdown = memo(function Markdown({ text, lookup }: { text: string; lookup: CitationLookup }) {
  return (
    <CitationContext.Provider value={lookup}>
      <div className="markdown">
        <ReactMarkdown remarkPlugins={remarkPlugins} components={components} skipHtml={false}>
          {text}
        </ReactMarkdown>
      </div>
    </CitationContext.Provider>
  )
})
