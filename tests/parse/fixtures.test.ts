/**
 * Cases the real corpus does not cover, on the small files in tests/fixtures/parse (their README
 * says how each was made): protected and scanned PDFs, legacy encodings, odd file names.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatOf } from '../../src/core/parse/index.ts'
import { FIXTURES, expectFailure, fullText, parseFile } from './files.ts'

const fixture = (name: string): string => join(FIXTURES, name)

describe('PDF fixtures', () => {
  it('reads a hand-written PDF with its info title', async () => {
    const doc = await parseFile(fixture('text-source.pdf'))
    expect(doc.title).toBe('Quarterly report')
    expect(doc.pageCount).toBe(1)
    expect(doc.sections).toEqual([{ text: 'DocuMind quarterly report\nRevenue grew in every region.', headings: [], page: 1 }])
  })

  it('refuses a password-protected PDF and says how to fix it', async () => {
    const failure = await expectFailure(parseFile(fixture('password-protected.pdf')), 'encrypted')
    expect(failure.message).toMatch(/password-protected/)
    expect(failure.message).toMatch(/Remove the password/)
  })

  it('refuses a PDF of images as having no text layer, pointing at OCR', async () => {
    const failure = await expectFailure(parseFile(fixture('scanned-no-text-layer.pdf')), 'no-text-layer')
    expect(failure.message).toMatch(/2 pages but no text layer/)
    expect(failure.message).toMatch(/OCR/)
  })
})

describe('text encodings', () => {
  it('reads Big5 text as Traditional Chinese and says so', async () => {
    const doc = await parseFile(fixture('big5-night-markets.txt'))
    // The full-width comma stays as written (NFKC alone would make it ASCII).
    expect(fullText(doc)).toBe('臺灣的夜市文化非常豐富。\n許多旅客喜歡在晚上品嚐小吃，例如蚵仔煎和珍珠奶茶。\n夜市通常從傍晚開到午夜。')
    expect(doc.warnings).toEqual([expect.stringMatching(/read as Big5/)])
  })

  it.each(['utf16le-bom.txt', 'utf16be-bom.txt'])('reads %s by its byte-order mark, CRLF turned into LF', async (name) => {
    const doc = await parseFile(fixture(name))
    expect(fullText(doc)).toBe('Meeting notes\n會議紀錄：預算已核准。\nNext review: March.')
    expect(doc.warnings).toEqual([])
  })

  it('reads an HTML page in the legacy encoding it declares', async () => {
    const doc = await parseFile(fixture('windows-1252-declared.html'))
    expect(doc.title).toBe('Café menu')
    expect(fullText(doc)).toBe('Café menu\n\nCrème brûlée – €4')
    expect(doc.warnings).toEqual([])
  })

  it('handles Chinese, an emoji and spaces in a file name', async () => {
    const name = '會議 紀錄 📝 2024.md'
    expect(formatOf(name)).toBe('markdown')
    const doc = await parseFile(fixture(name))
    expect(doc.title).toBe('會議紀錄 📝')
    expect(doc.sections.map((s) => s.headings)).toEqual([['會議紀錄 📝'], ['會議紀錄 📝', '預算']])
    expect(doc.sections[1].text).toContain('今年的預算已核准 ✅')
  })
})

describe('Markdown structure', () => {
  it('drops front matter, reads setext headings and leaves # lines in code alone', async () => {
    const doc = await parseFile(fixture('front-matter-setext.md'))
    expect(doc.title).toBe('Field Guide to Garden Birds')
    const text = fullText(doc)
    expect(text).not.toContain('tags:')
    expect(doc.sections.map((s) => s.headings)).toEqual([
      ['Field Guide to Garden Birds'],
      ['Field Guide to Garden Birds', 'Robins'],
      ['Field Guide to Garden Birds', 'Robins', 'Nesting'],
      ['Field Guide to Garden Birds', 'Sparrows']
    ])
    expect(doc.sections[1].text).toContain('```sh\n# count the robins in the log\ngrep -c robin sightings.log\n```')
    // A "---" after a blank line is a thematic break and stays in the text.
    expect(doc.sections[2].text).toBe('### Nesting\n\nThey nest in hedges.\n\n---')
  })
})

describe('CSV', () => {
  it('splits a long table into sections that each start with the header row', async () => {
    const doc = await parseFile(fixture('orders.csv'))
    expect(doc.format).toBe('csv')
    expect(doc.sections.length).toBeGreaterThan(2)
    for (const section of doc.sections) expect(section.text.split('\n')[0]).toBe('order_id,customer,city,note')
    // The quoted field with a comma and a line break stays in one row, in one section.
    expect(doc.sections[0].text).toContain('1,"Lin, Mei-hua",Taipei,"Deliver after 6 pm.\nCall first."')
    const rows = doc.sections.flatMap((s) => s.text.split('\n').slice(1)).filter((line) => /^\d+,/.test(line))
    expect(rows).toHaveLength(300)
  })
})
