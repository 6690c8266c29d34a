/**
 * The parsers against corpus-mini: 705 real files in English and Traditional Chinese. Every
 * supported file must give text (or, for the few Word files that really hold none, say why), and
 * the properties a user relies on must hold: page numbers, heading paths, chapter titles.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { HEADERS_AND_FOOTERS } from '../../src/core/parse/docx.ts'
import { formatOf } from '../../src/core/parse/index.ts'
import { foldCompatibility } from '../../src/core/text/normalize.ts'
import { ParseFailure, type DocFormat, type ParsedDocument, type ParseFailureCode } from '../../src/core/types.ts'
import { CORPUS, bytesOf, filesUnder, fullText, parseFile } from './files.ts'

/**
 * Word files from Apache POI's test data that hold no readable body text, checked by hand with
 * unzip: the parser must say so rather than import nothing silently.
 */
const WORD_FILES_WITHOUT_TEXT: Record<string, ParseFailureCode> = {
  'docx/51921-Word-Crash067.docx': 'empty', // empty paragraphs only
  'docx/59378.docx': 'empty', // empty paragraphs only
  'docx/Bug62859.docx': 'empty', // only a glossary placeholder ("Click here to enter text.")
  'docx/Tika-792.docx': 'empty', // its only letters are deleted or moved-away revisions
  'docx/headerPic.docx': 'empty', // a picture in the header, nothing else
  'docx/tika-3388.docx': 'empty', // one embedded OLE object shown as an icon
  'docx/bug53475-password-is-pass.docx': 'encrypted', // an encrypted OOXML package (password "pass")
  'docx/truncated62886.docx': 'corrupt' // cut off before its zip directory
}

interface Outcome {
  file: string
  format: DocFormat | null
  doc?: ParsedDocument
  failure?: ParseFailure
  ms: number
}

const outcomes = new Map<string, Outcome>()

function parsed(file: string): ParsedDocument {
  const doc = outcomes.get(file)?.doc
  if (!doc) throw new Error(`${file} did not parse`)
  return doc
}

beforeAll(async () => {
  const started = performance.now()
  for (const file of filesUnder(CORPUS)) {
    const path = join(CORPUS, file)
    const format = formatOf(file, bytesOf(path).subarray(0, 8192))
    const outcome: Outcome = { file, format, ms: 0 }
    if (format !== null) {
      const t0 = performance.now()
      try {
        outcome.doc = await parseFile(path)
      } catch (error) {
        if (!(error instanceof ParseFailure)) throw error
        outcome.failure = error
      }
      outcome.ms = performance.now() - t0
    }
    outcomes.set(file, outcome)
  }
  const total = performance.now() - started
  const slowest = [...outcomes.values()].sort((a, b) => b.ms - a.ms).slice(0, 3)
  console.log(
    `corpus-mini: ${outcomes.size} files parsed in ${(total / 1000).toFixed(1)} s; slowest: ` +
      slowest.map((o) => `${o.file} ${o.ms.toFixed(0)} ms`).join(', ')
  )
}, 300_000)

describe('corpus-mini', () => {
  it('reads every document format and skips the images', () => {
    const byFormat = new Map<string, string[]>()
    for (const { file, format } of outcomes.values()) {
      const key = format ?? 'skipped'
      byFormat.set(key, [...(byFormat.get(key) ?? []), file])
    }
    expect(byFormat.get('docx')).toHaveLength(40)
    expect(byFormat.get('epub')).toHaveLength(1)
    expect(byFormat.get('html')).toHaveLength(17)
    expect(byFormat.get('markdown')).toHaveLength(616)
    expect(byFormat.get('pdf')).toHaveLength(2)
    expect(byFormat.get('text')).toEqual(['md/trpl-zh-tw/LICENSE'])
    const skipped = byFormat.get('skipped') ?? []
    expect(skipped).toHaveLength(28)
    for (const file of skipped) expect(file).toMatch(/\.(png|svg)$/)
  })

  it('gives non-empty, normalised text for every supported file that has text', () => {
    const problems: string[] = []
    for (const { file, format, doc, failure } of outcomes.values()) {
      if (format === null) continue
      const expected = WORD_FILES_WITHOUT_TEXT[file]
      if (expected !== undefined) {
        if (failure?.code !== expected) problems.push(`${file}: expected ${expected}, got ${failure?.code ?? 'text'}`)
        continue
      }
      if (!doc) {
        problems.push(`${file}: ${failure?.code} ${failure?.message}`)
        continue
      }
      expect(doc.format).toBe(format)
      expect(doc.sections.length).toBeGreaterThan(0)
      for (const section of doc.sections) {
        if (section.text.trim() === '') problems.push(`${file}: an empty section`)
        if (/[\r\u0000-\u0008\u000B-\u001F]/.test(section.text)) problems.push(`${file}: control characters left in`)
        if (section.text !== foldCompatibility(section.text)) problems.push(`${file}: text not in NFKC (but for full-width punctuation)`)
      }
    }
    expect(problems).toEqual([])
  })

  it('explains why the Word files without text give none', () => {
    for (const [file, code] of Object.entries(WORD_FILES_WITHOUT_TEXT)) {
      const { failure } = outcomes.get(file) ?? {}
      expect(failure?.code, file).toBe(code)
    }
    expect(outcomes.get('docx/bug53475-password-is-pass.docx')?.failure?.message).toMatch(/password-protected/)
    expect(outcomes.get('docx/59378.docx')?.failure?.message).toMatch(/No text could be extracted/)
  })

  it('splits the R manual into its 113 numbered pages', () => {
    const doc = parsed('pdf/R-intro.pdf')
    expect(doc.pageCount).toBe(113)
    const pages = doc.sections.map((s) => s.page)
    expect(pages).toEqual(Array.from({ length: 113 }, (_, i) => i + 1))
    expect(doc.sections[0].text).toContain('An Introduction to R')
    // Chapter 2 starts on physical page 14, printed as page 8 (the table of contents on page 3 says so).
    const chapter = doc.sections.find((s) => /^2 Simple manipulations; numbers and vectors$/m.test(s.text))
    expect(chapter?.page).toBe(14)
    expect(chapter?.text).toMatch(/^8\n/)
    expect(doc.sections[2].text).toMatch(/^2 Simple manipulations; numbers and vectors[ .]+8$/m)
  })

  it('reads the zh-TW PDF as Chinese text, with compatibility ideographs folded away', () => {
    const doc = parsed('pdf/maint-guide.zh-tw.pdf')
    expect(doc.pageCount).toBe(63)
    expect(doc.title).toBe('Debian 新維護人員手冊')
    const text = fullText(doc)
    expect(text).toContain('Debian 新維護人員手冊')
    expect(text).toMatch(/維護人員/)
    expect(text).not.toMatch(/[\uF900-\uFAFF]/)
    // Chinese runs stay whole: pdf.js put a space between every character of some lines
    // ("此 軟 件 包 包 含 了"), which PDFium does not.
    expect(text).toContain('此軟件包包含了 GNU 項目中的兩篇文檔')
  })

  it('keeps a hyphen that ends a PDF line as the hyphen it was, never as a noncharacter', () => {
    // PDFium marks a line-end hyphen with U+FFFE and joins the lines; the parser prints it as "-".
    const text = fullText(parsed('pdf/maint-guide.zh-tw.pdf'))
    expect(text).not.toMatch(/[\uFFFE\uFFFF]/)
    expect(text).toContain('(http://www.debian.org/doc/packaging-manuals/fhs/fhs-3.0.html)')
  })

  it('gives Markdown sections the heading path of the Rust book', () => {
    const doc = parsed('md/trpl-zh-tw/src/ch04-01-what-is-ownership.md')
    // The full-width question mark of "什麼是所有權？" stays as written.
    const rules = doc.sections.find((s) => s.headings.at(-1) === '所有權規則')
    expect(rules?.headings).toEqual(['什麼是所有權？', '所有權規則'])
    expect(rules?.text).toMatch(/^### 所有權規則\n/)
    const moved = doc.sections.find((s) => s.headings.at(-1) === '使用移動的變數與資料互動')
    expect(moved?.headings).toEqual(['什麼是所有權？', '記憶體與分配', '使用移動的變數與資料互動'])
  })

  it('leaves # lines inside fenced code as code', () => {
    const doc = parsed('md/trpl-zh-tw/src/ch17-01-futures-and-syntax.md')
    expect(doc.sections.flatMap((s) => s.headings)).not.toContain('extern crate trpl; // required for mdbook test')
    const section = doc.sections.find((s) => s.text.includes('# extern crate trpl;'))
    // The chapter has no H1: its H2s are siblings, so the path starts at the second one.
    expect(section?.headings).toEqual(['第一個非同步程式', '定義 page_title 函式'])
  })

  it('takes a tldr page title from its H1', () => {
    const doc = parsed('md/tldr/en/aria2.md')
    expect(doc.title).toBe('aria2')
    expect(doc.sections[0].headings).toEqual(['aria2'])
  })

  it('gives HTML sections nested heading paths and leaves the navigation out', () => {
    const doc = parsed('html/controlflow.html')
    expect(doc.title).toBe('4. More Control Flow Tools — Python 3.11.2 documentation')
    const section = doc.sections.find((s) => s.headings.at(-1) === '4.8.3.1. Positional-or-Keyword Arguments')
    expect(section?.headings).toEqual([
      '4. More Control Flow Tools',
      '4.8. More on Defining Functions',
      '4.8.3. Special parameters',
      '4.8.3.1. Positional-or-Keyword Arguments'
    ])
    const text = fullText(doc)
    expect(text).not.toContain('Previous topic')
    expect(text).not.toContain('¶')
    // Code blocks keep their lines and indentation.
    expect(text).toContain(">>> if x < 0:\n...     x = 0\n...     print('Negative changed to zero')")
  })

  it('names EPUB chapters by their table-of-contents titles, in spine order', () => {
    const doc = parsed('epub/alice.epub')
    expect(doc.title).toBe("Alice's Adventures in Wonderland")
    const chapters = [...new Set(doc.sections.map((s) => s.headings[0]))]
    expect(chapters).toEqual([
      'Title Page',
      'Down The Rabbit-Hole',
      'The Pool Of Tears',
      'A Caucus-Race And A Long Tale',
      'The Rabbit Sends In A Little Bill',
      'Advice From A Caterpillar',
      'Pig And Pepper',
      'A Mad Tea-Party',
      "The Queen's Croquet Ground",
      'Who Stole The Tarts?',
      "Alice's Evidence"
    ])
    const first = doc.sections.find((s) => s.headings[0] === 'Down The Rabbit-Hole')
    expect(first?.text).toContain('Alice was beginning to get very tired of sitting by her sister on the bank')
  })

  it('turns Word heading styles into heading paths and keeps tables readable', () => {
    const doc = parsed('docx/bug65738.docx')
    expect(doc.title).toBe('Sample Word Document')
    const deepest = doc.sections.find((s) => s.headings.length === 3)
    expect(deepest?.headings).toEqual(['Heading Level 1', 'Heading Level 2', 'Heading Level 3'])
    expect(deepest?.text).toContain('This is a sample Microsoft Word Document.')
    expect(fullText(parsed('docx/Bug60337.docx'))).toContain('Task I | 10 | 10 | 10 | 10')
  })

  it('reads the text of Word headers and footers, which mammoth leaves out', () => {
    const doc = parsed('docx/headerFooter.docx')
    const section = doc.sections.find((s) => s.headings[0] === HEADERS_AND_FOOTERS)
    expect(section?.text).toContain('This is a simple header...')
    expect(section?.text).toContain('... and this is a simple footer.')
  })

  it('reads an extensionless licence file as text', () => {
    const doc = parsed('md/trpl-zh-tw/LICENSE')
    expect(doc.format).toBe('text')
    expect(fullText(doc)).toMatch(/^MIT License/)
    expect(fullText(doc)).toContain('Rust 中文社区')
  })
})
