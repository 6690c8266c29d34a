/**
 * Just enough language handling for answers: which language a question is in (to answer in it),
 * sentence boundaries in English and Chinese, and the words of a question that matter.
 */

/** The languages DocuMind words its own messages in. Chinese means Traditional Chinese. */
export type AnswerLanguage = 'en' | 'zh'

const HAN = /\p{Script=Han}/gu
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u
const LATIN_WORD = /[A-Za-z]+/g

/**
 * 'zh' when the question is written in Chinese: it has Han characters, no kana (that would be
 * Japanese), and at least as many Han characters as Latin words, so "What does 緣起 mean?" stays
 * English while "Rust 的 ownership 是什麼？" is Chinese.
 */
export function questionLanguage(question: string): AnswerLanguage {
  const han = question.match(HAN)?.length ?? 0
  if (han === 0 || KANA.test(question)) return 'en'
  const latinWords = question.match(LATIN_WORD)?.length ?? 0
  return han >= latinWords ? 'zh' : 'en'
}

/**
 * Splits text into sentences, keeping each sentence's punctuation: after 。！？!? (and any closing
 * quote), after a full stop followed by a space and a capital/CJK/digit (so "e.g. the" and "3.5"
 * stay whole), and at line breaks.
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[。！？!?][”’"'」』）)]*)|(?<=\.[”’"'）)]*)\s+(?=[\p{Lu}\p{Script=Han}\d“‘"'「『(（])|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const STOP_WORDS = new Set(
  'a an and are as at be by can could did do does for from has have how i in is it its me my of on or our should tell that the their there this to was were what when where which who why will with would you your about explain describe please'.split(
    ' '
  )
)
// Question words and particles that say nothing about the topic.
const CJK_FILLER = /[什甚麼么嗎吗呢哪為为怎如何是的了請请問问]/u

/**
 * The terms of a question worth looking for in a passage: lowercased Latin words that are not
 * stop words (a final plural "s" dropped so "vaccines" finds "vaccine"), and the bigrams of
 * Chinese runs minus those made only of question words and particles.
 */
export function queryTerms(question: string): string[] {
  const terms = new Set<string>()
  for (const [word] of question.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    for (const piece of word.split(/(\p{Script=Han}+)/u)) {
      if (piece === '') continue
      if (/\p{Script=Han}/u.test(piece)) {
        const chars = Array.from(piece)
        if (chars.length === 1 && !CJK_FILLER.test(piece)) terms.add(piece)
        for (let i = 0; i + 1 < chars.length; i++) {
          const bigram = chars[i] + chars[i + 1]
          if (!(CJK_FILLER.test(chars[i]) && CJK_FILLER.test(chars[i + 1]))) terms.add(bigram)
        }
      } else if (piece.length > 1 && !STOP_WORDS.has(piece)) {
        terms.add(piece.length > 4 && piece.endsWith('s') && !piece.endsWith('ss') ? piece.slice(0, -1) : piece)
      }
    }
  }
  return [...terms]
}

/** How many of `terms` occur in `text` (case-insensitive). */
export function countTerms(text: string, terms: string[]): number {
  const lower = text.toLowerCase()
  return terms.reduce((n, term) => n + (lower.includes(term) ? 1 : 0), 0)
}
