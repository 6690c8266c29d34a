import type { Nodes } from 'mdast'
import { fromMarkdown } from 'mdast-util-from-markdown'
import { gfmFromMarkdown } from 'mdast-util-gfm'
import { gfm } from 'micromark-extension-gfm'
import { describe, expect, it } from 'vitest'
import { extractiveAnswer } from '../../src/core/answer/extractive'
import { quoteInMarkdown, unquoteMarkdown } from '../../src/core/text/markdown-quote'
import { questionLanguage, splitSentences } from '../../src/core/answer/language'
import { homocysteine, sanskrit, textHit } from './fixtures'

describe('extractive answers', () => {
  it('quotes the top three passages about the question, each cited, trimmed to the sentences about it', () => {
    const hits = [
      ...homocysteine.hits(),
      textHit(4, 'A fourth passage: vitamin B12 and homocysteine again.'),
      textHit(5, 'A fifth passage on homocysteine, past the three quoted.')
    ]
    const { answer, citations } = extractiveAnswer(homocysteine.question, hits)
    const paragraphs = answer.split('\n\n')
    expect(paragraphs).toHaveLength(3)
    // The third hit, on biological gels, shares no word with the question.
    expect(paragraphs.map((p) => p.match(/\[(\d)\]$/)?.[1])).toEqual(['1', '2', '4'])
    expect(citations.map((c) => c.n)).toEqual([1, 2, 4])
    for (const p of paragraphs) expect(p.length).toBeLessThanOrEqual(430)
    // The abstracts are ~1,500 characters; what is kept is about homocysteine.
    expect(paragraphs[0]).toMatch(/homocysteine/i)
    expect(paragraphs[1]).toMatch(/homocysteine/i)
    expect(answer).not.toMatch(/gels|fifth passage/i)
  })

  it('finds the answering sentence in a Chinese passage', () => {
    const { answer } = extractiveAnswer(sanskrit.question, sanskrit.hits(), { maxChars: 120 })
    const first = answer.split('\n\n')[0]
    expect(first).toContain(sanskrit.answer)
    expect(first.endsWith('[1]')).toBe(true)
  })

  it('leaves out passages that share no word with the question, when others do', () => {
    const typhoon = textHit(1, '# 公司颱風假規定\n\n當中央氣象署發布陸上颱風警報，且縣市政府宣布停止上班時，本公司全體同仁停止上班。')
    const meeting = textHit(2, 'Project Falcon weekly sync. Decisions: the beta ships on 14 December.')
    const { answer, citations } = extractiveAnswer('颱風天公司的規定是什麼？', [typhoon, meeting])
    expect(answer).toBe('\\# 公司颱風假規定 當中央氣象署發布陸上颱風警報，且縣市政府宣布停止上班時，本公司全體同仁停止上班。 [1]')
    expect(citations.map((c) => c.n)).toEqual([1])
    // With no passage sharing a word, the best ones are still quoted rather than none.
    expect(extractiveAnswer('What about the typhoon holiday?', [meeting]).citations.map((c) => c.n)).toEqual([1])
  })

  it('quotes a passage indexed twice only once', () => {
    const { answer, citations } = extractiveAnswer('q', [textHit(1, 'Same text.'), textHit(2, 'Same  text.'), textHit(3, 'Other.')])
    expect(answer).toBe('Same text. [1]\n\nOther. [3]')
    expect(citations.map((c) => c.n)).toEqual([1, 3])
  })
})

/** The kinds of Markdown node in `markdown`, as the chat view (remark-gfm) reads it. */
function nodeTypes(markdown: string): Set<string> {
  const types = new Set<string>()
  const walk = (node: Nodes): void => {
    types.add(node.type)
    if ('children' in node) for (const child of node.children) walk(child)
  }
  walk(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }))
  return types
}

/** The text of `markdown`'s paragraphs as a reader sees them (code spans keep their words). */
function shownText(markdown: string): string {
  const parts: string[] = []
  const walk = (node: Nodes): void => {
    if (node.type === 'text' || node.type === 'inlineCode') parts.push(node.value)
    else if (node.type === 'paragraph') parts.push('\n\n')
    if ('children' in node) for (const child of node.children) walk(child)
  }
  walk(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }))
  return parts.join('').trim()
}

describe('passages quoted into an extractive answer', () => {
  const passages = [
    '# 公司颱風假規定\n\n當中央氣象署發布陸上颱風警報，本公司全體同仁停止上班。',
    '- Install the package first.\n- Then run a*b*c with __init__ and snake_case_name.',
    '1. See [the manual](http://example.com/manual) and ![a figure](fig.png) for ~~old~~ ~/paths.',
    '> A quote from C:\\Users\\me and a \\* star.\n```r\nx <- 1\n```'
  ]

  it('read as written: no heading, list, emphasis, link or image made of the passage', () => {
    const { answer } = extractiveAnswer('颱風: install, manual, quote', passages.map((text, i) => textHit(i + 1, text)), { maxPassages: 4 })
    // Code spans keep their words, and a bare address is linked (the chat view shows its words).
    const allowed = new Set(['root', 'paragraph', 'text', 'inlineCode', 'link'])
    expect([...nodeTypes(answer)].filter((type) => !allowed.has(type))).toEqual([])
    const expected = passages.map((text, i) => `${text.replace(/\s+/g, ' ').trim()} [${i + 1}]`)
    expect(shownText(answer).split('\n\n')).toEqual(expected)
  })

  it('print as written where the answer is not rendered', () => {
    for (const text of passages.map((p) => p.replace(/\s+/g, ' ').trim())) expect(unquoteMarkdown(quoteInMarkdown(text))).toBe(text)
    // Plain prose and snake_case names are left alone.
    expect(quoteInMarkdown('A data frame holds snake_case_name columns; 2 + 2 = 4.')).toBe('A data frame holds snake_case_name columns; 2 + 2 = 4.')
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
