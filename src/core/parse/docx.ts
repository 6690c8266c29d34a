/**
 * Word (.docx) documents: mammoth turns the body into HTML with h1–h6 for Word's heading styles,
 * and the HTML path gives sections their heading paths. LangChain's DocxLoader uses mammoth's raw
 * text, which loses the headings, and it hands mammoth the archive unchecked; here the archive is
 * checked for decompression bombs first (see zip.ts).
 *
 * mammoth ignores headers and footers; their text is read here directly and added as a last
 * section, because a document can carry its only identifying text there.
 */
import mammoth from 'mammoth'
import { parseDocument } from 'htmlparser2'
import type { AnyNode } from 'domhandler'
import { ParseFailure, type ParsedDocument } from '../types.ts'
import { addHtmlSections, parseHtml } from './html.ts'
import { checkpoint } from './checkpoint.ts'
import { SectionList, cleanLine } from './sections.ts'
import { assertNotZipBomb, readZipDirectory, readZipText, type ZipEntry } from './zip.ts'

const WHAT = 'This Word document'
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const HEADER_OR_FOOTER = /^word\/(?:header|footer)\d*\.xml$/
/** Heading of the section that holds the text of the page headers and footers. */
export const HEADERS_AND_FOOTERS = 'Headers and footers'

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte)
}

/** True when the UTF-16LE form of `name` occurs in `bytes` (names in an OLE compound file are UTF-16). */
function containsUtf16(bytes: Uint8Array, name: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(name, 'utf16le'))
}

/**
 * Word saves a password-protected .docx as an OLE compound file holding an "EncryptedPackage";
 * an OLE file without one is an old binary .doc with the wrong extension.
 */
function refuseCompoundFile(bytes: Uint8Array): never {
  if (containsUtf16(bytes, 'EncryptedPackage')) {
    throw new ParseFailure(
      'encrypted',
      'This Word document is password-protected; DocuMind cannot read it without the password. ' +
        'Remove the password in Word and import it again.'
    )
  }
  throw new ParseFailure(
    'unsupported',
    'This is an old Word 97–2003 (.doc) file with a .docx name; DocuMind reads only .docx. Save it as .docx in Word and import it again.'
  )
}

/** The paragraphs of a header or footer part: text runs, tabs and breaks, one paragraph per line. */
function headerFooterParagraphs(xml: string): string[] {
  const dom = parseDocument(xml, { xmlMode: true })
  const paragraphs: string[] = []
  let current: string[] = []
  const stack: { node: AnyNode; exit: boolean }[] = [{ node: dom, exit: false }]
  while (stack.length > 0) {
    const { node, exit } = stack.pop() as { node: AnyNode; exit: boolean }
    if (node.type !== 'tag' && node.type !== 'root') continue
    if (node.type === 'tag') {
      if (exit) {
        if (node.name === 'w:p') {
          paragraphs.push(cleanLine(current.join('')))
          current = []
        }
        continue
      }
      if (node.name === 'w:t') {
        for (const child of node.children) if (child.type === 'text') current.push(child.data)
        continue
      }
      if (node.name === 'w:tab' || node.name === 'w:br') current.push(' ')
      // Deleted revisions and field instructions (PAGE, NUMPAGES) are not text anyone reads.
      if (node.name === 'w:del' || node.name === 'w:instrText') continue
      stack.push({ node, exit: true })
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], exit: false })
  }
  return paragraphs.filter((p) => p !== '')
}

/** The declared title in docProps/core.xml, when it is more than whitespace. */
function coreTitle(xml: string): string | undefined {
  const match = /<dc:title>([^<]*)<\/dc:title>/.exec(xml)
  if (!match) return undefined
  const dom = parseDocument(match[1], { xmlMode: true, decodeEntities: true })
  const first = dom.children[0]
  const title = cleanLine(first?.type === 'text' ? first.data : '')
  return title.length > 1 ? title : undefined
}

/**
 * Reads every XML part once with the capped inflater. This is what makes a bomb whose headers lie
 * about its sizes fail here, before mammoth (through jszip) inflates the same parts uncapped.
 */
function readXmlParts(bytes: Uint8Array, entries: readonly ZipEntry[]): Map<string, string> {
  const parts = new Map<string, string>()
  for (const entry of entries) {
    if (/\.(?:xml|rels)$/i.test(entry.name)) parts.set(entry.name, readZipText(bytes, entry, WHAT))
  }
  return parts
}

/** Parses a .docx file into sections; throws `ParseFailure` for protected, damaged or empty files. */
export async function parseDocx(bytes: Uint8Array, signal?: AbortSignal): Promise<ParsedDocument> {
  if (bytes.length === 0) throw new ParseFailure('empty', 'The file is empty.')
  if (startsWith(bytes, CFB_MAGIC)) refuseCompoundFile(bytes)
  if (!startsWith(bytes, [0x50, 0x4b])) {
    throw new ParseFailure('corrupt', 'This is not a valid Word document: a .docx file is a zip archive, and this file is not one.')
  }
  const entries = readZipDirectory(bytes, WHAT)
  assertNotZipBomb(entries, WHAT)
  const parts = readXmlParts(bytes, entries)
  if (!parts.has('word/document.xml')) {
    throw new ParseFailure('corrupt', 'This is not a valid Word document: the archive has no word/document.xml.')
  }
  await checkpoint(signal)

  const result = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    // Images would be inlined as base64 data: slow, large, and no text to index.
    { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) }
  )
  await checkpoint(signal)
  const html = parseHtml(result.value)
  const sections = new SectionList()
  addHtmlSections(html, sections)

  const seen = new Set<string>()
  const headerFooterText: string[] = []
  for (const [name, xml] of parts) {
    if (!HEADER_OR_FOOTER.test(name)) continue
    for (const paragraph of headerFooterParagraphs(xml)) {
      if (!seen.has(paragraph)) headerFooterText.push(paragraph)
      seen.add(paragraph)
    }
  }
  sections.add(headerFooterText.join('\n'), [HEADERS_AND_FOOTERS])

  if (sections.isEmpty) throw new ParseFailure('empty', 'No text could be extracted: this Word document has no text in it.')
  const core = parts.get('docProps/core.xml')
  const title = (core !== undefined ? coreTitle(core) : undefined) ?? html.title
  return { format: 'docx', title, sections: sections.sections, warnings: [] }
}
