import { describe, expect, it } from 'vitest'
import { CJK_QUERY_TERM_BUDGET, QUERY_TERM_BUDGET, STOP_WORDS, hasCjk, keywordTerms, toQueryText, toSearchText } from '../../src/core/text/analyze'

/** A zh-TW passage of the kind users paste into a question (the Rust book's chapter on ownership). */
const PASSAGE =
  '所有權是 Rust 最獨特的特色，這讓 Rust 不需要垃圾回收機制也能保障記憶體安全。因此理解 Rust 中的所有權如何運作是非常重要的。' +
  '在本章節我們將討論所有權以及其相關功能：借用、切片，以及 Rust 如何在記憶體中安排資料。所有程式都需要在執行時管理它們使用記憶體的方式。' +
  '有些語言會有垃圾回收機制在程式執行時不斷尋找不再使用的記憶體；而有些語言則要求程式設計師親自分配和釋放記憶體。'

const ENGLISH =
  'The attach function makes the components of a data frame visible as variables under their own names, so that they can be used ' +
  'without the frame name in front. The search path is a list of environments that R consults in order when it looks up a name; ' +
  'attaching puts the frame at position two, just after the global environment, and detach removes it again. Assigning to one of ' +
  'those names creates a new variable in the workspace instead of changing the frame, which surprises many users coming from other ' +
  'statistical packages. Frames and lists with named components can both be attached, and packages are attached the same way when ' +
  'they are loaded with library. Keeping too many frames attached at once makes it hard to tell which value a name refers to.'

const isCjkUnigram = (term: string): boolean => /^[\p{Script=Han}]$/u.test(term)

describe('keyword query terms', () => {
  it('leaves a question as the index analyses it when it is within the budget', () => {
    expect(toQueryText('所有權的規則是什麼？')).toBe(' 所 所有 有 有權 權   規 規則 則   ？')
    expect(toQueryText('How do I attach a data frame to the search path?')).toBe('How do I attach a data frame to the search path?')
    expect(keywordTerms('所有權 規則', QUERY_TERM_BUDGET)).toBeNull()
  })

  it('keeps a long Chinese passage to the CJK budget, its bigrams before its unigrams', () => {
    const all = new Set(toSearchText(PASSAGE).split(/\s+/).filter(Boolean))
    expect(all.size).toBeGreaterThan(QUERY_TERM_BUDGET)
    const terms = toQueryText(PASSAGE).split(' ')
    expect(new Set(terms).size).toBe(terms.length)
    // Its words (rust, and 中, a run of its own once 的 is cut: Rust 中的所有權) and the first
    // CJK_QUERY_TERM_BUDGET grams, all of them bigrams: the passage has more than that in pairs.
    const cjk = terms.filter((term) => hasCjk(term) && term !== '中')
    expect(cjk).toHaveLength(CJK_QUERY_TERM_BUDGET)
    expect(cjk.every((term) => Array.from(term).length === 2)).toBe(true)
    expect(terms).toHaveLength(CJK_QUERY_TERM_BUDGET + 2)
    expect(terms.slice(0, 4)).toEqual(['所有', '有權', 'rust', '最獨'])
  })

  it('cuts the CJK grams of a question within the whole budget, and keeps its words', () => {
    // A question of a few words and more CJK grams than their budget, fewer terms than the whole.
    const grams = new Set(toSearchText(PASSAGE.slice(0, 40)).split(/\s+/).filter(hasCjk))
    expect(grams.size).toBeGreaterThan(CJK_QUERY_TERM_BUDGET)
    expect(grams.size).toBeLessThan(QUERY_TERM_BUDGET)
    const terms = keywordTerms(`attach frame ${PASSAGE.slice(0, 40)} detach`, QUERY_TERM_BUDGET, undefined, CJK_QUERY_TERM_BUDGET)!.split(' ')
    expect(terms.filter(hasCjk)).toHaveLength(CJK_QUERY_TERM_BUDGET)
    expect(terms.filter((term) => !hasCjk(term))).toEqual(['attach', 'frame', 'rust', 'detach'])
    // Within both budgets nothing is cut.
    expect(keywordTerms(`attach frame ${PASSAGE.slice(0, 10)}`, QUERY_TERM_BUDGET, undefined, CJK_QUERY_TERM_BUDGET)).toBeNull()
  })

  it('fills what the bigrams leave of the budget with unigrams', () => {
    const terms = keywordTerms('所有權是獨特的特色', 12)!.split(' ')
    expect(terms).toEqual(['所有', '有權', '權是', '是獨', '獨特', '特的', '的特', '特色', '所', '有', '權', '是'])
  })

  it('keeps a long English passage to the budget without its stop words', () => {
    const terms = toQueryText(ENGLISH).split(' ')
    expect(terms).toHaveLength(QUERY_TERM_BUDGET)
    expect(terms.filter((term) => STOP_WORDS.has(term))).toEqual([])
    expect(terms.slice(0, 5)).toEqual(['attach', 'function', 'makes', 'components', 'data'])
  })

  it('leaves out the characters common in the library, but not their pairs or a character standing alone', () => {
    const common = new Set(['的', '有', '中'])
    // 的 is cut as a function word first; 有 goes, but 所有 and 有權 stay; 中 alone is a word.
    expect(toQueryText('所有權的規則在 Rust 中', common).split(' ')).toEqual(['所有', '有權', '規則', '則在', 'rust', '中', '所', '權', '規', '則', '在'])
    // Without common characters, a short question is searched as the index analyses it.
    expect(toQueryText('所有權的規則在 Rust 中', new Set())).toBe(toQueryText('所有權的規則在 Rust 中'))
  })

  it('never joins a word to the Chinese run beside it', () => {
    const terms = keywordTerms('rpm程序 deb套件', 2)!.split(' ')
    expect(terms).toEqual(['rpm', '程序'])
  })
})
