import { describe, expect, it } from 'vitest'
import { extractiveAnswer } from '../../src/core/answer/extractive'
import { questionLanguage, splitSentences } from '../../src/core/answer/language'
import { homocysteine, sanskrit, textHit } from './fixtures'

describe('extractive answers', () => {
  it('quotes the top three passages, each cited, trimmed to the sentences about the question', () => {
    const hits = [...homocysteine.hits(), textHit(4, 'A fourth passage that should not be quoted.')]
    const { answer, citations } = extractiveAnswer(homocysteine.question, hits)
    const paragraphs = answer.split('\n\n')
    expect(paragraphs).toHaveLength(3)
    expect(paragraphs.map((p) => p.match(/\[(\d)\]$/)?.[1])).toEqual(['1', '2', '3'])
    expect(citations.map((c) => c.n)).toEqual([1, 2, 3])
    for (const p of paragraphs) expect(p.length).toBeLessThanOrEqual(430)
    // The abstracts are ~1,500 characters; what is kept is about homocysteine.
    expect(paragraphs[0]).toMatch(/homocysteine/i)
    expect(paragraphs[1]).toMatch(/homocysteine/i)
    expect(answer).not.toContain('fourth passage')
  })

  it('finds the answering sentence in a Chinese passage', () => {
    const { answer } = extractiveAnswer(sanskrit.question, sanskrit.hits(), { maxChars: 120 })
    const first = answer.split('\n\n')[0]
    expect(first).toContain(sanskrit.answer)
    expect(first.endsWith('[1]')).toBe(true)
  })

  it('quotes a passage indexed twice only once', () => {
    const { answer, citations } = extractiveAnswer('q', [textHit(1, 'Same text.'), textHit(2, 'Same  text.'), textHit(3, 'Other.')])
    expect(answer).toBe('Same text. [1]\n\nOther. [3]')
    expect(citations.map((c) => c.n)).toEqual([1, 3])
  })
})

describe('language', () => {
  it('answers in Chinese only when the question is written in Chinese', () => {
    expect(questionLanguage(sanskrit.question)).toBe('zh')
    expect(questionLanguage('Rust 的 ownership 是什麼？')).toBe('zh')
    expect(questionLanguage('What does 緣起 mean?')).toBe('en')
    expect(questionLanguage('所有権とは何ですか？')).toBe('en')
  })

  it('splits English and Chinese sentences without breaking abbreviations or decimals', () => {
    expect(splitSentences('Doses of 0.4 mg/d work, e.g. in CAD. Then it stops! 好的。這樣？嗯')).toEqual([
      'Doses of 0.4 mg/d work, e.g. in CAD.',
      'Then it stops!',
      '好的。',
      '這樣？',
      '嗯'
    ])
  })
})
