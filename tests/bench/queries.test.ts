import { describe, expect, it } from 'vitest'
import { joinWords, wordsOf } from '../../bench/lib/queries'

describe("the benchmark's question words", () => {
  it('takes the words between spaces in English', () => {
    const words = wordsOf('How do  I attach\na data frame?')
    expect(words.map((word) => word.text)).toEqual(['How', 'do', 'I', 'attach', 'a', 'data', 'frame?'])
    expect(joinWords(words.slice(2, 5))).toBe('I attach a')
  })

  it('cuts Chinese, which has no spaces, into words, punctuation kept with the word before', () => {
    const sentence = '在投影片或頁面的右鍵功能表中,尋找下列指令,其中包括:重新命名選取的。'
    const words = wordsOf(sentence)
    // A sentence of 34 characters is many words, none of them longer than a few characters.
    expect(words.length).toBeGreaterThan(10)
    expect(Math.max(...words.map((word) => word.text.replace(/[,:。]/g, '').length))).toBeLessThanOrEqual(4)
    expect(words.some((word) => /^[,:。]/.test(word.text))).toBe(false)
    expect(joinWords(words)).toBe(sentence)
    // A window of them is a phrase of the sentence, not the sentence.
    const window = joinWords(words.slice(3, 7))
    expect(sentence).toContain(window)
    expect(window.length).toBeLessThan(sentence.length / 2)
  })

  it('keeps the spaces between Latin and CJK text', () => {
    const text = 'LibreOffice 中的每個新試算表 都顯示三個 sheets'
    const words = wordsOf(text)
    expect(words[0]).toEqual({ text: 'LibreOffice', joiner: ' ' })
    expect(words[1].joiner).toBe(' ')
    expect(words[2].joiner).toBe('')
    expect(joinWords(words)).toBe(text)
  })
})
