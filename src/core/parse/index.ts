/**
 * The document parsers' one entry point: which files DocuMind reads (`formatOf`) and how a file's
 * bytes become sections of normalised text (`parseDocument`). Runs under plain Node, in a worker
 * thread: no Electron, no DOM.
 */
import { ParseFailure, type DocFormat, type ParsedDocument } from '../types.ts'
import { declaredHtmlEncoding, decodeText, sniffText } from '../text/decode.ts'
import { parseDocx } from './docx.ts'
import { parseEpub } from './epub.ts'
import { addHtmlSections, parseHtml } from './html.ts'
import { parseMarkdown } from './markdown.ts'
import { parsePdf } from './pdf.ts'
import { delimitedSections, textSections } from './plain.ts'
import { SectionList, cleanLine } from './sections.ts'

export { HEADERS_AND_FOOTERS } from './docx.ts'

/** Options for one parse. */
export interface ParseOptions {
  /** Checked between pages and chapters; when it fires, its reason is thrown as is. */
  signal?: AbortSignal
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocFormat>> = {
  pdf: 'pdf',
  docx: 'docx',
  epub: 'epub',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
  log: 'text',
  csv: 'csv',
  tsv: 'csv'
}

/** Files that come without an extension but are text by convention, for when no bytes are at hand. */
const TEXT_FILE_NAMES = /^(?:license|licence|readme|notice|copying|authors|contributors|changelog|changes|history|install|todo|news|thanks)(?:[-_].*)?$/i

function baseName(fileName: string): string {
  return fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
}

/** The extension in lower case without the dot; '' when the name has none (a leading dot does not count). */
function extensionOf(fileName: string): string {
  const name = baseName(fileName)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

/**
 * The format DocuMind reads `fileName` as, or null when it does not read it (images, archives,
 * executables, SVG, …): the caller reports those as skipped. Known extensions decide; a file
 * without an extension (LICENSE, README, NOTICE) is text when its first bytes `head` sniff as
 * text, or, without `head`, when its name is one of the usual text-file names.
 */
export function formatOf(fileName: string, head?: Uint8Array): DocFormat | null {
  const extension = extensionOf(fileName)
  if (extension !== '') return FORMAT_BY_EXTENSION[extension] ?? null
  const name = baseName(fileName)
  if (name === '' || name.startsWith('.')) return null
  if (head !== undefined) return sniffText(head) ? 'text' : null
  return TEXT_FILE_NAMES.test(name) ? 'text' : null
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
  const { signal } = options
  signal?.throwIfAborted()
  const format = formatOf(fileName, bytes.subarray(0, 8192))
  try {
    switch (format) {
      case 'pdf':
        return finish(await parsePdf(bytes, signal))
      case 'docx':
        return finish(await parseDocx(bytes, signal))
      case 'epub':
        return finish(await parseEpub(bytes, signal))
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
