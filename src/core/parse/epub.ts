/**
 * EPUB books: chapters in spine order, each chapter's sections led by its title from the table of
 * contents (EPUB 3 nav document or EPUB 2 NCX), else by its first heading.
 *
 * epub2 (used by LangChain's EPubLoader) needs a file path, reads the zip through adm-zip with no
 * bomb guard, and does not report DRM; the package format is small enough to read directly with
 * the guarded zip reader in zip.ts.
 */
import { posix } from 'node:path'
import { parseDocument } from 'htmlparser2'
import type { AnyNode, Element } from 'domhandler'
import { ParseFailure, type ParsedDocument } from '../types.ts'
import { addHtmlSections, parseHtml } from './html.ts'
import { checkpoint } from './checkpoint.ts'
import { SectionList, cleanLine } from './sections.ts'
import { assertNotZipBomb, readZipDirectory, readZipText, type ZipEntry } from './zip.ts'

const WHAT = 'This EPUB'
const FONT = /\.(?:ttf|otf|woff2?)$/i

interface ManifestItem {
  path: string
  mediaType: string
  properties: string
}

/** Elements of an XML document in document order, by local name (prefixes like `opf:` ignored). */
function elements(root: AnyNode, localName: string): Element[] {
  const found: Element[] = []
  const stack: AnyNode[] = [root]
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode
    if (node.type === 'tag' && node.name.replace(/^.*:/, '').toLowerCase() === localName) found.push(node)
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i])
  }
  return found
}

function textOf(node: AnyNode): string {
  const parts: string[] = []
  const stack: AnyNode[] = [node]
  while (stack.length > 0) {
    const current = stack.pop() as AnyNode
    if (current.type === 'text') parts.push(current.data)
    if ('children' in current) for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i])
  }
  return cleanLine(parts.join(''))
}

/** Resolves an href against the folder of the file that contains it; the #fragment is dropped. */
function resolve(fromFile: string, href: string): string {
  const path = href.split('#')[0]
  let decoded = path
  try {
    decoded = decodeURIComponent(path)
  } catch {
    // A malformed %-escape: use the href as written.
  }
  return posix.normalize(posix.join(posix.dirname(fromFile), decoded)).replace(/^\.\//, '')
}

class EpubArchive {
  private readonly byName = new Map<string, ZipEntry>()

  constructor(private readonly bytes: Uint8Array, entries: readonly ZipEntry[]) {
    for (const entry of entries) this.byName.set(entry.name, entry)
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  text(name: string): string {
    const entry = this.byName.get(name)
    if (!entry) throw new ParseFailure('corrupt', `This is not a valid EPUB: "${name}" is missing from it.`)
    return readZipText(this.bytes, entry, WHAT).replace(/^\uFEFF/, '')
  }
}

/** Adobe and other DRM encrypt the chapters themselves; font obfuscation (fonts only) is harmless. */
function refuseDrm(archive: EpubArchive): void {
  if (!archive.has('META-INF/encryption.xml')) return
  const dom = parseDocument(archive.text('META-INF/encryption.xml'), { xmlMode: true })
  const encrypted = elements(dom, 'cipherreference').map((el) => el.attribs.URI ?? '')
  if (encrypted.some((uri) => uri !== '' && !FONT.test(uri))) {
    throw new ParseFailure('encrypted', 'This EPUB is protected by DRM (its chapters are encrypted); DocuMind can read only DRM-free books.')
  }
}

/** Maps each content file to its chapter title, from the EPUB 3 nav document or the EPUB 2 NCX. */
function tableOfContents(archive: EpubArchive, manifest: Map<string, ManifestItem>, ncxId: string | undefined): Map<string, string> {
  const entries: { file: string; fragment: boolean; title: string }[] = []
  const nav = [...manifest.values()].find((item) => item.properties.split(/\s+/).includes('nav'))
  const ncx = ncxId !== undefined ? manifest.get(ncxId) : [...manifest.values()].find((item) => item.mediaType === 'application/x-dtbncx+xml')
  if (nav && archive.has(nav.path)) {
    const dom = parseDocument(archive.text(nav.path), { recognizeSelfClosing: true })
    const navs = elements(dom, 'nav')
    const toc = navs.find((el) => (el.attribs['epub:type'] ?? '').split(/\s+/).includes('toc')) ?? navs[0]
    for (const link of toc ? elements(toc, 'a') : []) {
      const href = link.attribs.href
      if (href) entries.push({ file: resolve(nav.path, href), fragment: href.includes('#'), title: textOf(link) })
    }
  } else if (ncx && archive.has(ncx.path)) {
    const dom = parseDocument(archive.text(ncx.path), { xmlMode: true })
    for (const point of elements(dom, 'navpoint')) {
      const src = elements(point, 'content')[0]?.attribs.src
      const label = elements(point, 'navlabel')[0]
      if (src && label) entries.push({ file: resolve(ncx.path, src), fragment: src.includes('#'), title: textOf(label) })
    }
  }
  // A file's title is its whole-file entry; failing that, its only entry. A file that the TOC
  // splits into several fragments has no single title and relies on its own headings.
  const titles = new Map<string, string>()
  const byFile = new Map<string, typeof entries>()
  for (const entry of entries) {
    if (entry.title === '') continue
    const list = byFile.get(entry.file)
    if (list) list.push(entry)
    else byFile.set(entry.file, [entry])
  }
  for (const [file, fileEntries] of byFile) {
    const whole = fileEntries.find((e) => !e.fragment)
    const title = whole?.title ?? (fileEntries.length === 1 ? fileEntries[0].title : undefined)
    if (title !== undefined) titles.set(file, title)
  }
  return titles
}

/** Parses an .epub file into sections; throws `ParseFailure` for DRM-protected, damaged or empty books. */
export async function parseEpub(bytes: Uint8Array, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ParsedDocument> {
  if (bytes.length === 0) throw new ParseFailure('empty', 'The file is empty.')
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new ParseFailure('corrupt', 'This is not a valid EPUB: an .epub file is a zip archive, and this file is not one.')
  }
  const entries = readZipDirectory(bytes, WHAT)
  assertNotZipBomb(entries, WHAT)
  const archive = new EpubArchive(bytes, entries)
  refuseDrm(archive)

  const container = parseDocument(archive.text('META-INF/container.xml'), { xmlMode: true })
  const rootfiles = elements(container, 'rootfile')
  const opfPath = (rootfiles.find((el) => el.attribs['media-type'] === 'application/oebps-package+xml') ?? rootfiles[0])?.attribs['full-path']
  if (!opfPath) throw new ParseFailure('corrupt', 'This is not a valid EPUB: its container names no package file.')
  const opf = parseDocument(archive.text(opfPath), { xmlMode: true })

  const manifest = new Map<string, ManifestItem>()
  for (const item of elements(opf, 'item')) {
    const { id, href } = item.attribs
    if (id && href) {
      manifest.set(id, { path: resolve(opfPath, href), mediaType: item.attribs['media-type'] ?? '', properties: item.attribs.properties ?? '' })
    }
  }
  const spine = elements(opf, 'spine')[0]
  const toc = tableOfContents(archive, manifest, spine?.attribs.toc)
  const title = elements(opf, 'title').map(textOf).find((t) => t !== '')

  const sections = new SectionList()
  const warnings: string[] = []
  const itemrefs = spine ? elements(spine, 'itemref') : []
  for (const [index, itemref] of itemrefs.entries()) {
    await checkpoint(signal)
    onProgress?.(index, itemrefs.length)
    const item = manifest.get(itemref.attribs.idref ?? '')
    // The nav document is the book's own table of contents, not a chapter.
    if (!item || item.properties.split(/\s+/).includes('nav') || !/html/.test(item.mediaType)) continue
    if (!archive.has(item.path)) {
      warnings.push(`The chapter file "${item.path}" is missing from the book and was skipped.`)
      continue
    }
    const chapter = parseHtml(archive.text(item.path), { xhtml: true })
    const chapterTitle = toc.get(item.path) ?? chapter.firstHeading
    addHtmlSections(chapter, sections, chapterTitle !== undefined ? [chapterTitle] : [])
  }
  if (sections.isEmpty) throw new ParseFailure('empty', 'No text could be extracted: this EPUB has no readable chapters.')
  return { format: 'epub', title, sections: sections.sections, warnings }
}
