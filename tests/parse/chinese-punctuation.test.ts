/**
 * Chinese text keeps its full-width punctuation from the file to the passage: NFKC would make
 * "，" and "？" ASCII, which the passages shown and quoted would read, and which the chunker does
 * not cut at inside Chinese text (no space follows them there).
 */
import { describe, expect, it } from 'vitest'
import { chunkDocument } from '../../src/core/chunk.ts'
import { parseDocument } from '../../src/core/parse/index.ts'

describe('Chinese punctuation', () => {
  it('reaches the passages as written, and long Chinese sentences are cut at their clauses', async () => {
    const clauses = Array.from({ length: 80 }, (_, i) => `第${i + 1}條規定員工遇颱風停班時不需請假`)
    const text = `公司規定：${clauses.join('，')}！還有問題嗎？請洽人事室（分機１２３）。`
    const doc = await parseDocument(new TextEncoder().encode(text), '規定.txt')
    const { chunks } = chunkDocument(doc)
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks[0].text.startsWith('公司規定：第1條')).toBe(true)
    // Every piece but the last ends at a clause, none inside a word.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.at(-1)).toBe('，')
    expect(chunks.at(-1)!.text.endsWith('請假！還有問題嗎？請洽人事室（分機123）。')).toBe(true)
    expect(chunks.map((chunk) => chunk.text).join('')).not.toMatch(/[,:!?()]/)
  })
})
