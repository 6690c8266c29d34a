/**
 * The chat list shows the start of each chat's last message as the reader sees it: Markdown marks,
 * citation markers and code fences gone, on one line (markdownText in src/core/text/markdown.ts).
 */
import { describe, expect, it } from 'vitest'
import { markdownText } from '../../src/core/text/markdown'

describe('markdownText', () => {
  it('keeps the words of Markdown and drops its marks and the citation markers', () => {
    expect(markdownText('建立 Debian 套件**必須**先安裝 `dh_make` [1]。\n\n1. 第一步\n2. 第二步 [2, 3]')).toBe('建立 Debian 套件必須先安裝 dh_make。 第一步 第二步')
    // An interrupted answer keeps the model's own marker forms; they go too.
    expect(markdownText('先安裝工具【1】，再建構 [2-3]。')).toBe('先安裝工具，再建構。')
    expect(markdownText('# Setup\n\nSee the *guide* and [the site](https://example.org).\n\n> quoted\n\n---\n\n![a kite](kite.png)')).toBe('Setup See the guide and the site. quoted a kite')
  })

  it('reads tables, fenced code and footnotes as text, and leaves raw HTML as written', () => {
    expect(markdownText('| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nls -la\n```')).toBe('a b 1 2 ls -la')
    expect(markdownText('A footnote[^1] and <b>bold</b> HTML.\n\n[^1]: the note')).toBe('A footnote and <b>bold</b> HTML.')
  })

  it('reads only as much source as asked, up to the next blank line', () => {
    const text = `${'First paragraph, long enough. '.repeat(5)}\n\n**Second** paragraph.`
    expect(markdownText(text, 20)).toBe('First paragraph, long enough. '.repeat(5).trim())
    expect(markdownText(text)).toMatch(/enough\. Second paragraph\.$/)
  })
})
