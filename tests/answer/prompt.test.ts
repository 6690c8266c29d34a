import { describe, expect, it } from 'vitest'
import { buildMessages, cost, promptSources } from '../../src/core/answer/prompt'
import { homocysteine, sanskrit, textHit } from './fixtures'

describe('buildMessages', () => {
  it('tells the model to answer only from the numbered sources, cite them, and admit when they do not say', () => {
    const [system] = buildMessages(homocysteine.question, homocysteine.hits())
    expect(system.role).toBe('system')
    expect(system.content).toMatch(/only.*sources/i)
    expect(system.content).toContain('[1]')
    expect(system.content).toMatch(/do not contain the answer/i)
    expect(system.content).toContain('Traditional Chinese')
  })

  it('numbers the sources [1]..[k], each headed by document, page and heading path', () => {
    const hits = [
      textHit(1, 'Each value in Rust has an owner.', { document: 'The Rust Book', page: 41, headings: ['Ownership', 'Ownership Rules'] }),
      textHit(2, 'References borrow without taking ownership.', { document: 'notes.md' })
    ]
    const messages = buildMessages('Who owns a value?', hits)
    const user = messages[messages.length - 1]
    expect(user.role).toBe('user')
    expect(user.content).toContain('[1] The Rust Book — page 41 — Ownership › Ownership Rules\nEach value in Rust has an owner.')
    expect(user.content).toContain('[2] notes.md\nReferences borrow without taking ownership.')
    expect(user.content).toContain('Question: Who owns a value?')
  })

  it('asks for Traditional Chinese when the question is in Chinese', () => {
    const messages = buildMessages(sanskrit.question, sanskrit.hits())
    expect(messages[messages.length - 1].content).toContain('請只根據以上來源，用繁體中文回答')
  })

  it("keeps a source's own reference numbers from passing for source numbers", () => {
    const messages = buildMessages('q', [textHit(1, 'Prior work [12] disagrees [3, 4].')])
    expect(messages[messages.length - 1].content).toContain('Prior work (12) disagrees (3, 4).')
  })

  it('includes earlier turns, most recent first within budget, without their old citation markers', () => {
    const history = [
      { role: 'user' as const, content: 'old question '.repeat(100) },
      { role: 'assistant' as const, content: 'old answer '.repeat(100) },
      { role: 'user' as const, content: 'What is ownership?' },
      { role: 'assistant' as const, content: 'A set of rules [1][2].' }
    ]
    const messages = buildMessages('And borrowing?', [textHit(1, 'text')], history, { historyBudget: 500 })
    expect(messages.map((m) => [m.role, m.content.slice(0, 25)])).toEqual([
      ['system', expect.any(String)],
      ['user', 'What is ownership?'],
      ['assistant', 'A set of rules.'],
      ['user', expect.stringContaining('Sources:')]
    ])
  })
})

describe('promptSources', () => {
  it('keeps the sources within the character budget, cutting the last one and dropping the rest', () => {
    const hits = [textHit(1, 'a'.repeat(600)), textHit(2, 'word '.repeat(200)), textHit(3, 'c'.repeat(600))]
    const sources = promptSources(hits, 1200)
    expect(sources.map((s) => s.n)).toEqual([1, 2])
    const used = sources.reduce((n, s) => n + cost(s.header) + 2 + cost(s.text), 0)
    expect(used).toBeLessThanOrEqual(1200)
    expect(sources[1].text.endsWith('…')).toBe(true)
    expect(sources[1].hit.text).toBe('word '.repeat(200))
  })

  it('counts Chinese characters as costing more, so a Chinese prompt also fits the context window', () => {
    const chinese = promptSources([textHit(1, '梵'.repeat(1000))], 1200)
    const english = promptSources([textHit(1, 'a'.repeat(1000))], 1200)
    expect(chinese[0].text.length).toBeLessThan(410)
    expect(english[0].text).toBe('a'.repeat(1000))
  })

  it('always shows the model at least the best source', () => {
    expect(promptSources(homocysteine.hits(), 400)).toHaveLength(1)
  })
})
