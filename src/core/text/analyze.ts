/**
 * Text analysis shared by indexing and querying, so that both sides see the same tokens.
 *
 * LanceDB's full-text tokenizer splits on whitespace and punctuation, which leaves a run of Chinese
 * characters as one long token: a query would match only if it repeated the whole run. We pre-split
 * CJK runs into character unigrams and bigrams (the classic approach for Chinese retrieval without a
 * dictionary); Latin text is left for the tokenizer, which lowercases, stems and drops stop words.
 */

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3005\u3006\u30FC]/u
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3005\u3006\u30FC]+/gu

/** True when the string contains at least one Chinese or Japanese character. */
export function hasCjk(text: string): boolean {
  return CJK_CHAR.test(text)
}

/** The distinct CJK characters of a text: the unigrams the index holds for it. */
export function cjkChars(text: string): Set<string> {
  const chars = new Set<string>()
  if (!hasCjk(text)) return chars
  for (const [run] of text.matchAll(CJK_RUN)) for (const char of run) chars.add(char)
  return chars
}

/** The unigrams and bigrams of one run of CJK characters, in order: 台, 台灣, 灣, 灣的, 的. */
export function cjkGrams(run: string): string[] {
  const chars = Array.from(run)
  const grams: string[] = []
  for (let i = 0; i < chars.length; i++) {
    grams.push(chars[i])
    if (i + 1 < chars.length) grams.push(chars[i] + chars[i + 1])
  }
  return grams
}

/**
 * The form of a text that goes into (and is matched against) the full-text index: CJK runs become
 * space-separated unigrams and bigrams, everything else is unchanged.
 */
export function toSearchText(text: string): string {
  return text.replace(CJK_RUN, (run) => ` ${cjkGrams(run).join(' ')} `)
}

/**
 * Chinese function words and question words. The full-text index drops English stop words from
 * queries; these are their Chinese counterparts. Without this, in a small library where every
 * passage says 是 and 的, a question's 是什麼 outweighs the words it is about.
 */
const CJK_QUERY_STOP_WORDS = [
  '為什麼', '为什么', '怎麼樣', '怎么样', '什麼', '什么', '甚麼', '哪裡', '哪里', '哪個', '哪个', '哪些', '如何', '怎麼', '怎么',
  '怎樣', '怎样', '多少', '請問', '请问', '是否', '可以', '一下', '的', '是', '了', '嗎', '吗', '呢', '吧', '啊', '呀', '哪', '誰', '谁'
]
const CJK_QUERY_STOP = new RegExp(CJK_QUERY_STOP_WORDS.join('|'), 'gu')

/**
 * The most distinct terms a keyword query keeps. A question has fewer (DRCD's zh-TW questions:
 * 31 at the median, 57 at p95, as unigrams and bigrams); a pasted passage can have hundreds, and
 * the full-text index reads a posting list per term. At 100,000 chunks of the benchmark corpus
 * the keyword query of its CJK questions (sentences, 130 terms on average) took 17–18 ms p50 and
 * 68–70 ms p95, of 150-word English passages 44 ms p50; with this budget 13–14 and 20–21 ms, and
 * 33–35 ms. DRCD's nDCG@10 is unchanged (0.9753; it fell with budgets of 32 and fewer).
 */
export const QUERY_TERM_BUDGET = 64

/**
 * The most CJK unigrams and bigrams a keyword query keeps, within `QUERY_TERM_BUDGET`. A run's
 * bigrams overlap (each shares a character with the next), so fewer of them say as much as the
 * same number of words. On a copy of the benchmark's 100,000-chunk library, 80 CJK passages of
 * 150 characters pasted as questions were found first 77 times with 64 terms and with 48 (75 with
 * 32), all 80 in the first 10, while their keyword query took 10.4 instead of 13.7 ms p50; DRCD's
 * nDCG@10 was 0.9751 with 64, 48 and 32 (its questions rarely have more). English passages of 150
 * words lost at 48 (69 first instead of 74), so words keep the larger budget.
 */
export const CJK_QUERY_TERM_BUDGET = 48

/**
 * The form of a query for the full-text index: like `toSearchText`, after cutting CJK runs at
 * function and question words (a run 所有權的規則是什麼 becomes 所有權 and 規則), without the
 * `common` CJK characters as unigrams (those in many of the library's passages: see
 * cjk-counts.ts), and within `QUERY_TERM_BUDGET` distinct terms (see `keywordTerms`).
 */
export function toQueryText(text: string, common?: ReadonlySet<string>): string {
  const cut = text.replace(CJK_RUN, (run) => {
    const kept = run.replace(CJK_QUERY_STOP, ' ')
    // A query made only of such words still has to match something.
    return kept.trim() ? kept : run
  })
  return keywordTerms(cut, QUERY_TERM_BUDGET, common, CJK_QUERY_TERM_BUDGET) ?? toSearchText(cut)
}

const QUERY_PIECE = new RegExp(`(${CJK_RUN.source})|[\\p{L}\\p{N}]+`, 'gu')

/**
 * The terms of a query, at most `budget` of them and of those at most `cjkBudget` CJK grams,
 * space-separated; null when nothing was left out (no more terms than that, no `common` unigram:
 * the query is then searched whole). Words and CJK bigrams are kept first, in the order they
 * come, then the CJK unigrams: a character alone matches far more passages than its pairs do, so
 * its posting list costs most and tells least. A unigram in `common` is left out (its bigrams
 * stay); a CJK run of one character counts as a word and is always kept. English stop words are
 * neither counted nor kept (the index drops most of them).
 */
export function keywordTerms(text: string, budget: number, common?: ReadonlySet<string>, cjkBudget = budget): string | null {
  const terms = new Set<string>()
  const unigrams: string[] = []
  let cjkKept = 0
  let leftOut = false
  const keepCjk = (gram: string): void => {
    if (terms.has(gram)) return
    if (cjkKept >= cjkBudget) leftOut = true
    else {
      terms.add(gram)
      cjkKept++
    }
  }
  // Spaces around CJK runs, so that a word never runs into one (rpm程序).
  for (const [piece, run] of text.replace(CJK_RUN, ' $& ').matchAll(QUERY_PIECE)) {
    if (!run) {
      const word = piece.toLowerCase()
      if (!STOP_WORDS.has(word)) terms.add(word)
      continue
    }
    // The grams the index holds: cjkGrams alternates a run's unigrams (even places) and bigrams.
    const grams = cjkGrams(run)
    if (grams.length === 1) terms.add(run)
    else {
      for (const [i, gram] of grams.entries()) {
        if (i % 2 === 1) keepCjk(gram)
        else if (common?.has(gram)) leftOut = true
        else unigrams.push(gram)
      }
    }
  }
  for (const char of unigrams) keepCjk(char)
  return terms.size <= budget && !leftOut ? null : [...terms].slice(0, budget).join(' ')
}

/**
 * The content tokens of a text for the built-in embedder and for relevance checks: lowercased
 * Latin words (stop words removed, lightly stemmed) and CJK unigrams and bigrams.
 */
export function contentTokens(text: string): string[] {
  const tokens: string[] = []
  const lower = text.toLowerCase()
  for (const match of lower.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0]
    if (hasCjk(word)) {
      for (const piece of word.split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3005\u3006\u30FC]+)/u)) {
        if (!piece) continue
        if (hasCjk(piece)) tokens.push(...cjkGrams(piece))
        else if (!STOP_WORDS.has(piece)) tokens.push(stem(piece))
      }
    } else if (!STOP_WORDS.has(word) && word.length < 40) {
      tokens.push(stem(word))
    }
  }
  return tokens
}

/**
 * A light English stemmer: strips the common inflectional suffixes so that "vaccines" and
 * "vaccine", "running" and "run" meet. Deliberately conservative; the full-text index does real
 * Snowball stemming, this only feeds the hashed vectors and relevance checks.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word
  let w = word
  if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y'
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1)
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && /[aeiouy]/.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length)
      // "running" -> "runn" -> "run", as Porter's step 1b does.
      if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1)
      break
    }
  }
  return w
}

/** English stop words (the common Lucene/Snowball set), dropped from content tokens. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'may me might my no nor not of on or our should so such than that the their them then there these they this those ' +
    'to was we were what when where which while who whom why will with would you your'
  ).split(' ')
)
