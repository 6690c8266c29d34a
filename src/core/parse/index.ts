/**
 * The document parsers' one entry point: which files DocuMind reads (`formatOf`) and how a file's
 * bytes become sections of normalised text (`parseDocument`). Runs under plain Node, in a worker
 * thread: no Electron, no DOM.
 */
import { ParseFailure, type ParsedDocument } from '../types.ts'
import { declaredHtmlEncoding, decodeText } from '../text/decode.ts'
import { baseName, extensionOf, formatOf } from './formats.ts'
import { addHtmlSections, parseHtml } from './html.ts'
import { parseMarkdown } from './markdown.ts'
import { delimitedSections, textSections } from './plain.ts'
import { SectionList, cleanLine } from './sections.ts'

export { formatOf } from './formats.ts'

/** Options for one parse. */
export interface ParseOptions {
  /** Checked between pages and chapters; when it fires, its reason is thrown as is. */
  signal?: AbortSignal
  /** Told after each page (PDF) or chapter (EPUB): how many of how many are done. */
  onProgress?: (done: number, total: number) => void
}

function parseHtmlFile(bytes: Uint8Array, fileName: string): ParsedDocument {
  const { text, warnings } = decodeText(bytes, fileName, declaredHtmlEncoding(bytes))
  const doc = parseHtml(text, { xhtml: extensionOf(fileName) === 'xhtml' })
  const sections = new SectionList()
  addHtmlSections(doc, sections)
  return finish({ format: 'html', title: doc.title, sections: sections.sections, warnings })
}

function parseMarkdownFile(bytes: Uint8Array, fileName: string): ParsedDocument {
  const { text, warnings } = decodeText(bytes, fileName)
  const { title, sections } = parseMarkdown(text)
  return finish({ format: 'markdown', title, sections: sections.sections, warnings })
}

function parseTextFile(bytes: Uint8Array, fileName: string, format: 'text' | 'csv'): ParsedDocument {
  const { text, warnings } = decodeText(bytes, fileName)
  const sections = format === 'csv' ? delimitedSections(text, extensionOf(fileName) === 'tsv' ? '\t' : ',') : textSections(text)
  return finish({ format, sections: sections.sections, warnings })
}

/** Refuses a document that had bytes but gave no text, and tidies its title. */
function finish(doc: ParsedDocument): ParsedDocument {
  if (doc.sections.length === 0) throw new ParseFailure('empty', 'No text could be extracted from this file.')
  const title = doc.title !== undefined ? cleanLine(doc.title) : ''
  if (title === '') delete doc.title
  else doc.title = title
  return doc
}

/** Library errors in plain words; the stack trace is for the log, not for the person. */
function unexpected(error: unknown): ParseFailure {
  const detail = error instanceof Error ? error.message : String(error)
  return new ParseFailure('corrupt', `The file could not be read; it may be damaged (the reader said: ${detail.replace(/\s+/g, ' ').trim().replace(/\.$/, '')}).`)
}

/**
 * Parses a document into NFKC-normalised sections. Throws a `ParseFailure` (a stable code and a
 * message a person understands) for every file it cannot import, and nothing else, except that
 * when `options.signal` is aborted the signal's reason is thrown for the caller to handle.
 */
export async function parseDocument(bytes: Uint8Array, fileName: string, options: ParseOptions = {}): Promise<ParsedDocument> {
  const { signal, onProgress } = options
  signal?.throwIfAborted()
  const format = formatOf(fileName, bytes.subarray(0, 8192))
  try {
    switch (format) {
      // The PDF, Word and EPUB readers (pdf.js above all) are loaded on first use: a thread that
      // only ever reads Markdown starts in a fraction of the time.
      case 'pdf':
        return finish(await (await import('./pdf.ts')).parsePdf(bytes, signal, onProgress))
      case 'docx':
        return finish(await (await import('./docx.ts')).parseDocx(bytes, signal))
      case 'epub':
        return finish(await (await import('./epub.ts')).parseEpub(bytes, signal, onProgress))
      case 'html':
        return parseHtmlFile(bytes, fileName)
      case 'markdown':
        return parseMarkdownFile(bytes, fileName)
      case 'text':
      case 'csv':
        return parseTextFile(bytes, fileName, format)
      case null:
        if (extensionOf(fileName) === '') {
          if (bytes.length === 0) throw new ParseFailure('empty', 'The file is empty.')
          throw new ParseFailure('not-text', `${baseName(fileName)} has no file extension and looks like binary data, not text, so it was not imported.`)
        }
        throw new ParseFailure('unsupported', `DocuMind does not read ${extensionOf(fileName) ? `.${extensionOf(fileName)} files` : 'this kind of file'}.`)
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (error instanceof ParseFailure) throw error
    throw unexpected(error)
  }
}
