/** The one normal form of extracted text. */
import { describe, expect, it } from 'vitest'
import { normalizeText } from '../../src/core/text/normalize.ts'

describe('normalizeText', () => {
  it('folds CJK compatibility ideographs into the unified ones a person types', () => {
    // U+F900 and U+F9A8 are what some Chinese PDFs emit for 豈 and 令.
    expect(normalizeText('\uF900\uF9A8')).toBe('豈令')
    expect(normalizeText('\uF900')).toBe('\u8C48')
  })

  it('unfolds ligatures and full-width forms', () => {
    expect(normalizeText('ﬁle ＡＢＣ１２３')).toBe('file ABC123')
  })

  it('keeps the full-width punctuation of Chinese text as written, folding what is between it', () => {
    expect(normalizeText('當宣布停止上班時，本公司員工一律停班：不需請假！（詳見第２條）')).toBe('當宣布停止上班時，本公司員工一律停班：不需請假！（詳見第2條）')
    expect(normalizeText('ＡＢＣ？ﬁ｛１｝\uF900')).toBe('ABC？fi｛1｝豈')
    // Half-width katakana punctuation is folded into the full-width forms.
    expect(normalizeText('ｶﾀｶﾅ｡')).toBe('カタカナ。')
  })

  it('turns CRLF, CR, form feeds and line separators into LF', () => {
    expect(normalizeText('a\r\nb\rc\fd\u2028e')).toBe('a\nb\nc\nd\ne')
  })

  it('removes NUL and other control characters but keeps tabs and newlines', () => {
    expect(normalizeText('\uFEFFa\u0000b\u0007c\td\ne\u007F\u0085f')).toBe('abc\td\ne\nf')
  })

  it('leaves ASCII text as it is', () => {
    const text = 'plain ASCII text\twith a tab\n'
    expect(normalizeText(text)).toBe(text)
  })
})
