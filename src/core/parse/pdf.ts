/**
 * PDF documents: one section per page, so that answers can cite page numbers.
 *
 * PDFium (pdfium.ts) reads the text, with pdf.js (pdf-parse) behind it for the files PDFium cannot
 * open. Neither goes through LangChain's PDFLoader, which turns a password-protected file into a
 * generic error and, with splitPages off, loses page numbers.
 */
import { ParseFailure, type ParsedDocument } from '../types.ts'
import { checkpoint } from './checkpoint.ts'
import { forgetInstance, openPdfium, PdfiumOpenFailure, type PdfiumDocument } from './pdfium.ts'
import { SectionList, cleanLine } from './sections.ts'

/** pdf.js reads a header anywhere in the first kilobyte, as Acrobat does. */
const HEADER_WINDOW = 1024
/** Share of text-less pages above which the user is told that part of the PDF was not read. */
const EMPTY_PAGE_WARNING_SHARE = 0.1

function hasPdfHeader(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEADER_WINDOW))
  return head.includes('%PDF-')
}

/**
 * The Title from the PDF's info dictionary, unless it is a placeholder that tools write by
 * themselves: "untitled", a file name, "Microsoft Word - report.doc".
 */
function realTitle(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const title = cleanLine(raw)
  if (title.length < 2 || title.length > 300 || !/\p{L}/u.test(title)) return undefined
  if (/^(?:untitled|no title|title|document\d*|microsoft word\b.*)$/i.test(title)) return undefined
  if (/\.(?:pdf|docx?|odt|rtf|tex|dvi|ps|indd|qxd|pages|txt|html?)$/i.test(title)) return undefined
  return title
}

/**
 * pdf-parse is loaded on first use, not imported at the top: pdf.js's legacy build carries core-js,
 * which on loading replaces `Array.prototype.push` of the whole thread with a JavaScript version
 * about 2.5 times slower (for a spec corner no code here relies on). Loaded late, the native one
 * can be captured first (when this module is evaluated) and put back after each PDF: the pdf.js
 * worker code loads lazily during the first parse and brings its own copy. Measured on the
 * benchmark corpus, the polyfill cost each ingest thread about 6 s in 96 s, in every format.
 */
const NATIVE_PUSH = Array.prototype.push
let pdfParse: Promise<typeof import('pdf-parse')> | undefined

function restoreNativeBuiltins(): void {
  if (Array.prototype.push !== NATIVE_PUSH) {
    Object.defineProperty(Array.prototype, 'push', { value: NATIVE_PUSH, writable: true, configurable: true, enumerable: false })
  }
}

async function loadPdfParse(): Promise<typeof import('pdf-parse')> {
  pdfParse ??= import('pdf-parse').finally(restoreNativeBuiltins)
  return pdfParse
}

let pdfiumWarned = false

/** Drops this thread's PDFium instance after a failure, and says so once: PDFs then go to pdf.js, slower. */
function pdfiumBroke(error: unknown): void {
  forgetInstance()
  if (pdfiumWarned) return
  pdfiumWarned = true
  console.warn(`documind: PDFium failed (${error instanceof Error ? error.message : String(error)}); PDFs are read with pdf.js instead.`)
}

const ENCRYPTED = (): ParseFailure =>
  new ParseFailure('encrypted', 'This PDF is password-protected; DocuMind cannot read it without the password. Remove the password and import it again.')

/** What a pdf.js error means for the person importing the file. */
function failureFor(error: unknown): ParseFailure {
  if (error instanceof ParseFailure) return error
  if (error instanceof Error && error.name === 'PasswordException') return ENCRYPTED()
  const detail = error instanceof Error ? error.message : String(error)
  if (error instanceof Error && error.name === 'InvalidPDFException') {
    return new ParseFailure('corrupt', `This PDF is damaged or truncated, so it cannot be read (${detail.replace(/\.$/, '')}).`)
  }
  return new ParseFailure('corrupt', `This PDF could not be read; it may be damaged (the PDF reader said: ${detail.replace(/\.$/, '')}).`)
}

/** Reads one page's text (1-based), or null when the page cannot be read. */
type PageReader = (page: number) => Promise<string | null> | string | null

/** Turns a document's pages into sections, one per page, with the warnings and failures they call for. */
async function readPages(pageCount: number, title: string | undefined, readPage: PageReader, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ParsedDocument> {
  if (pageCount === 0) throw new ParseFailure('empty', 'No text could be extracted: this PDF has no pages.')
  const sections = new SectionList()
  const unreadable: number[] = []
  let emptyPages = 0
  for (let page = 1; page <= pageCount; page++) {
    await checkpoint(signal)
    const text = await readPage(page)
    // One broken page (a bad font or content stream) should not lose the rest of the document.
    if (text === null) {
      unreadable.push(page)
      continue
    }
    const before = sections.sections.length
    sections.add(text, [], page)
    if (sections.sections.length === before) emptyPages++
    onProgress?.(page, pageCount)
  }
  if (unreadable.length === pageCount) {
    throw new ParseFailure('corrupt', 'This PDF is damaged: none of its pages could be read.')
  }
  if (sections.isEmpty) {
    throw new ParseFailure(
      'no-text-layer',
      `This PDF has ${pageCount === 1 ? '1 page' : `${pageCount} pages`} but no text layer: it is probably scanned images. ` +
        'DocuMind cannot read it without OCR (text recognition); run OCR on it (for example with OCRmyPDF) and import it again.'
    )
  }
  const warnings: string[] = []
  if (unreadable.length > 0) {
    warnings.push(`${unreadable.length} of ${pageCount} pages could not be read and were skipped (pages ${unreadable.slice(0, 10).join(', ')}${unreadable.length > 10 ? ', …' : ''}).`)
  }
  if (emptyPages > 1 && emptyPages > pageCount * EMPTY_PAGE_WARNING_SHARE) {
    warnings.push(`${emptyPages} of ${pageCount} pages have no text (they may be scanned images, which need OCR).`)
  }
  return { format: 'pdf', title: realTitle(title), sections: sections.sections, warnings, pageCount }
}

/**
 * Parses a PDF into one section per page; throws `ParseFailure` for protected, damaged or scanned
 * files. PDFium reads it; pdf.js gets the file when PDFium cannot open it (pdf.js repairs some
 * damaged files that PDFium refuses) or when PDFium's WebAssembly fails on it.
 */
export async function parsePdf(bytes: Uint8Array, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ParsedDocument> {
  if (bytes.length === 0) throw new ParseFailure('empty', 'The file is empty.')
  if (!hasPdfHeader(bytes)) throw new ParseFailure('corrupt', 'This is not a PDF file: it does not start with a PDF header.')
  let doc: PdfiumDocument
  try {
    doc = await openPdfium(bytes)
  } catch (error) {
    if (error instanceof PdfiumOpenFailure && error.reason === 'password') throw ENCRYPTED()
    if (!(error instanceof PdfiumOpenFailure)) pdfiumBroke(error)
    return parseWithPdfJs(bytes, signal, onProgress)
  }
  let trapped = false
  try {
    return await readPages(doc.pageCount, doc.title, (page) => doc.pageText(page - 1), signal, onProgress)
  } catch (error) {
    if (error instanceof ParseFailure || signal?.aborted) throw error
    // A WebAssembly trap (out of memory, an abort inside PDFium): this instance is not to be trusted again.
    trapped = true
    pdfiumBroke(error)
    return parseWithPdfJs(bytes, signal, onProgress)
  } finally {
    if (!trapped) doc.close()
  }
}

/** The same, through pdf.js (pdf-parse). */
async function parseWithPdfJs(bytes: Uint8Array, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ParsedDocument> {
  // pdf.js may take ownership of the array it is given; the caller keeps theirs. isEvalSupported
  // off: pdf.js must never compile code from a file (CVE-2024-4367 was exactly that).
  const { PDFParse } = await loadPdfParse()
  const parser = new PDFParse({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 })
  try {
    const info = await parser.getInfo().catch((error: unknown) => {
      throw failureFor(error)
    })
    // Opening the first document loaded pdf.js's worker code, with its own copy of the polyfill.
    restoreNativeBuiltins()
    const title = typeof info.info === 'object' && info.info !== null && 'Title' in info.info && typeof info.info.Title === 'string' ? info.info.Title : undefined
    return await readPages(info.total, title, async (page) => {
      try {
        const result = await parser.getText({ partial: [page], pageJoiner: '' })
        return result.pages[0]?.text ?? ''
      } catch {
        return null
      }
    }, signal, onProgress)
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw failureFor(error)
  } finally {
    await parser.destroy().catch(() => undefined)
    restoreNativeBuiltins()
  }
}
