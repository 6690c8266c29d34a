/**
 * PDFs are read with PDFium (WebAssembly); when it cannot start at all, pdf.js reads them instead,
 * and the thread says so once rather than once per file.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { parsePdf } from '../../src/core/parse/pdf.ts'
import { ParseFailure } from '../../src/core/types.ts'
import { FIXTURES } from './files.ts'

vi.mock('@embedpdf/pdfium', () => ({
  init: async () => {
    throw new Error('WebAssembly.instantiate(): out of memory')
  }
}))

describe('the PDF parser without PDFium', () => {
  it('reads PDFs with pdf.js, keeps their reasons for failing, and warns once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const bytes = readFileSync(join(FIXTURES, 'text-source.pdf'))
      const first = await parsePdf(bytes)
      expect(first.title).toBe('Quarterly report')
      expect(first.sections).toEqual([{ text: 'DocuMind quarterly report\nRevenue grew in every region.', headings: [], page: 1 }])
      expect((await parsePdf(bytes)).sections).toEqual(first.sections)

      const locked = await parsePdf(readFileSync(join(FIXTURES, 'password-protected.pdf'))).catch((error: unknown) => error)
      expect(locked).toBeInstanceOf(ParseFailure)
      expect(locked).toMatchObject({ code: 'encrypted' })

      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0][0]).toMatch(/^documind: PDFium failed \(WebAssembly\.instantiate\(\): out of memory\); PDFs are read with pdf\.js instead\.$/)
    } finally {
      warn.mockRestore()
    }
  })
})
