/**
 * The answer when no model can write one: the best passages, each cut down to the sentences that
 * bear on the question and cited like a model's answer would be, so the UI shows them the same way.
 */
import type { Citation, Hit } from '../types'
import { citationsFor, neutraliseMarkers } from './citations'
import { quoteInMarkdown } from '../text/markdown-quote'
import { countTerms, queryTerms, splitSentences } from './language'

export interface ExtractiveOptions {
  /** How many passages to quote. Default 3. */
  maxPassages?: number
  /** Longest excerpt per passage, in characters. Default 420. */
  maxChars?: number
}

/** Quoted passages (Markdown) with their `[n]` markers (n = position in `hits`, from 1) and the citations. */
export interface ExtractiveAnswer {
  answer: string
  citations: Citation[]
}

export function extractiveAnswer(question: string, hits: Hit[], options: ExtractiveOptions = {}): ExtractiveAnswer {
  const maxPassages = options.maxPassages ?? 3
  const maxChars = options.maxChars ?? 420
  const terms = queryTerms(question)
  const texts = hits.map((hit) => hit.text.replace(/\s+/g, ' ').trim())
  // A search always fills its k places: where some passages share words with the question, the
  // ones that share none (an unrelated note in a small library) are not quoted as an answer.
  const sharing = texts.map((text) => countTerms(text, terms) > 0)
  const anySharing = sharing.some(Boolean)
  const seen = new Set<string>()
  const paragraphs: string[] = []
  for (const [i, key] of texts.entries()) {
    if (paragraphs.length >= maxPassages) break
    if (anySharing && !sharing[i]) continue
    // The same passage can be indexed twice (a document imported under two names); quote it once.
    if (key === '' || seen.has(key)) continue
    seen.add(key)
    // The answer is Markdown, as a model's is: the excerpt is quoted into it to read as written.
    paragraphs.push(`${quoteInMarkdown(bestExcerpt(key, terms, maxChars))} [${i + 1}]`)
  }
  const answer = paragraphs.join('\n\n')
  return { answer, citations: citationsFor(answer, hits).citations }
}

/**
 * The run of neighbouring sentences around the one that shares most terms with the question,
 * within `maxChars`, marked with "…" where text was left out. The passage's own bracketed
 * numbers become parentheses so they are not read as citations.
 */
export function bestExcerpt(text: string, terms: string[], maxChars: number): string {
  const clean = neutraliseMarkers(text.replace(/\s+/g, ' ').trim())
  if (clean.length <= maxChars) return clean
  const sentences = splitSentences(clean)
  const scores = sentences.map((s) => countTerms(s, terms))
  const best = scores.indexOf(Math.max(...scores))
  let from = best
  let to = best
  let length = sentences[best].length
  if (length > maxChars) return cutAround(sentences[best], terms, maxChars, best > 0, best < sentences.length - 1)
  // Grow towards the more relevant neighbour; on a tie, read on rather than back.
  for (;;) {
    const next = to + 1 < sentences.length ? sentences[to + 1] : undefined
    const prev = from > 0 ? sentences[from - 1] : undefined
    const takeNext = next !== undefined && length + 1 + next.length <= maxChars
    const takePrev = prev !== undefined && length + 1 + prev.length <= maxChars
    if (takeNext && (!takePrev || scores[to + 1] >= scores[from - 1])) {
      to++
      length += 1 + next.length
    } else if (takePrev) {
      from--
      length += 1 + prev.length
    } else break
  }
  // Chinese sentences follow each other without a space; others get one.
  const body = sentences.slice(from, to + 1).reduce((acc, s) => (acc === '' ? s : /[\p{Script=Han}。！？」』]$/u.test(acc) ? acc + s : `${acc} ${s}`), '')
  return `${from > 0 ? '…' : ''}${body}${to < sentences.length - 1 ? '…' : ''}`
}

/** A window of one over-long sentence, centred on its first matching term. */
function cutAround(sentence: string, terms: string[], maxChars: number, moreBefore: boolean, moreAfter: boolean): string {
  const lower = sentence.toLowerCase()
  const hit = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), sentence.length)
  const anchor = hit === sentence.length ? 0 : hit
  const start = Math.max(0, Math.min(anchor - Math.floor(maxChars / 3), sentence.length - maxChars))
  const end = start + maxChars
  return `${start > 0 || moreBefore ? '…' : ''}${sentence.slice(start, end).trim()}${end < sentence.length || moreAfter ? '…' : ''}`
}
