import type { LibraryReader } from '../../src/core/store/reader'
import { unpackPassage } from '../../src/core/store/passage'
import { hasCjk } from '../../src/core/text/analyze'
import { seededRandom } from './stats'

/** How many words a question holds: a typed question, or a paragraph pasted as one. */
export const QUESTION_WORDS = { min: 4, max: 12 } as const
export const PASTED_WORDS = { min: 40, max: 80 } as const

/**
 * Search questions from a library's own passages: windows of `words.min` to `words.max` words from
 * its first 50,000 chunks (all of a chunk that has fewer, if it has at least 4), chosen by a
 * generator seeded with `seed`, so the same library gives the same questions every run and they
 * are never tuned to anything.
 */
export async function queriesFrom(reader: LibraryReader, count: number, seed: number, words: { min: number; max: number } = QUESTION_WORDS): Promise<string[]> {
  const table = (await reader.chunks())!
  const rows = (await table.query().select(['passage']).limit(50_000).toArray()).map((row) => unpackPassage(row.passage as string))
  const random = seededRandom(seed)
  const queries: string[] = []
  while (queries.length < count) {
    const passage = wordsOf(String(rows[Math.floor(random() * rows.length)].text))
    if (passage.length < QUESTION_WORDS.min) continue
    const length = words.min + Math.floor(random() * (words.max - words.min + 1))
    const start = Math.floor(random() * Math.max(1, passage.length - length))
    queries.push(joinWords(passage.slice(start, start + length)))
  }
  return queries
}

/** A word of a passage, and what separated it from the one before (a space, or nothing in CJK text). */
export interface Word {
  text: string
  joiner: string
}

const segmenter = new Intl.Segmenter('zh-Hant', { granularity: 'word' })

/**
 * A text's words. Words are what whitespace separates, except in Chinese and Japanese, which put
 * none between words: there a run between spaces is a whole sentence or more, so it is cut into
 * the words `Intl.Segmenter` finds, punctuation kept with the word before it.
 */
export function wordsOf(text: string): Word[] {
  const words: Word[] = []
  for (const token of text.split(/\s+/).filter(Boolean)) {
    if (!hasCjk(token)) {
      words.push({ text: token, joiner: ' ' })
      continue
    }
    let first = true
    for (const { segment, isWordLike } of segmenter.segment(token)) {
      if (!first && !isWordLike) words[words.length - 1].text += segment
      else words.push({ text: segment, joiner: first ? ' ' : '' })
      first = false
    }
  }
  return words
}

export function joinWords(words: Word[]): string {
  return words.map((word, i) => (i ? word.joiner : '') + word.text).join('')
}
