/**
 * Which files DocuMind reads, decided from the name (and, for a file without an extension, its
 * first bytes). Kept apart from the parsers so that walking a folder never loads pdf.js.
 */
import type { DocFormat } from '../types.ts'
import { sniffText } from '../text/decode.ts'

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

export function baseName(fileName: string): string {
  return fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
}

/** The extension in lower case without the dot; '' when the name has none (a leading dot does not count). */
export function extensionOf(fileName: string): string {
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

