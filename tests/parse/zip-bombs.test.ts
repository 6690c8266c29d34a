/**
 * Decompression bombs in Word and EPUB files, built at test time (zip-builder.ts) so that nothing
 * large is committed. They must be refused from their zip directory before anything is inflated,
 * or, when the directory lies, stopped by the capped inflater.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createInflateRaw } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { ZIP_LIMITS, assertNotZipBomb, type ZipEntry } from '../../src/core/parse/zip.ts'
import { ParseFailure } from '../../src/core/types.ts'
import { expectFailure, parseFile } from './files.ts'
import { deflated, docxMembers, stored, wordDocumentXml, zeros, zipArchive, type ZipMember } from './zip-builder.ts'

const folder = mkdtempSync(join(tmpdir(), 'documind-zip-bombs-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function writeArchive(name: string, members: ZipMember[]): string {
  const path = join(folder, name)
  writeFileSync(path, zipArchive(members))
  return path
}

async function inflatedLength(member: ZipMember): Promise<number> {
  let length = 0
  const inflater = createInflateRaw()
  inflater.on('data', (chunk: Buffer) => (length += chunk.length))
  await new Promise((resolve, reject) => {
    inflater.on('end', resolve).on('error', reject)
    Readable.from([Buffer.from(member.data)]).pipe(inflater)
  })
  return length
}

const EPUB_CONTAINER =
  '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">' +
  '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'
const EPUB_PACKAGE =
  '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/>' +
  '<manifest><item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/></manifest>' +
  '<spine><itemref idref="c1"/></spine></package>'

describe('zip bombs', () => {
  it('builds real bombs: the zero stream inflates to exactly what it claims', async () => {
    const member = zeros('zeros.bin', 64)
    expect(member.data.length).toBeLessThan(100_000)
    expect(await inflatedLength(member)).toBe(64 * 1024 * 1024)
  })

  it('a hand-built Word file without a bomb parses, headings and all', async () => {
    const path = writeArchive('plan.docx', docxMembers(wordDocumentXml('Quarterly plan', 'We will open two shops.')))
    const doc = await parseFile(path)
    expect(doc.sections).toEqual([{ text: 'Quarterly plan\n\nWe will open two shops.', headings: ['Quarterly plan'] }])
  })

  it('refuses a .docx with 1 GiB of zeros in one part (1 MB on disk) before inflating it', async () => {
    const path = writeArchive('bomb.docx', docxMembers(wordDocumentXml('Report', 'Text.'), [zeros('word/media/image1.png', 1024)]))
    const started = performance.now()
    const failure = await expectFailure(parseFile(path), 'too-large')
    console.log(`1 GiB docx bomb refused in ${(performance.now() - started).toFixed(0)} ms`)
    expect(failure.message).toMatch(/decompression bomb/)
    expect(failure.message).toMatch(/word\/media\/image1\.png.*1\.0 GB/)
  })

  it('refuses a .docx whose zip directory understates a part, when inflating passes the stated size', async () => {
    const liar = { ...zeros('word/document.xml', 64), declaredSize: 4096 }
    const failure = await expectFailure(parseFile(writeArchive('liar.docx', docxMembers(liar))), 'too-large')
    expect(failure.message).toMatch(/word\/document\.xml.*expands to more than the 4 KB its zip directory declares/)
  })

  it('refuses an EPUB with a 1 GiB chapter', async () => {
    const members = [
      stored('mimetype', 'application/epub+zip'),
      deflated('META-INF/container.xml', EPUB_CONTAINER),
      deflated('OEBPS/content.opf', EPUB_PACKAGE),
      zeros('OEBPS/chapter1.xhtml', 1024)
    ]
    const failure = await expectFailure(parseFile(writeArchive('bomb.epub', members)), 'too-large')
    expect(failure.message).toMatch(/This EPUB looks like a decompression bomb/)
  })

  it('refuses archives whose parts add up to more than the limit, even at ordinary ratios', () => {
    const part = (i: number): ZipEntry => ({
      name: `word/media/photo${i}.jpg`,
      method: 8,
      flags: 0,
      compressedSize: 6 * 1024 * 1024,
      uncompressedSize: 7 * 1024 * 1024,
      localHeaderOffset: 0
    })
    const entries = Array.from({ length: 40 }, (_, i) => part(i))
    expect(() => assertNotZipBomb(entries, 'This Word document')).toThrow(ParseFailure)
    expect(() => assertNotZipBomb(entries, 'This Word document')).toThrow(/would expand to 280 MB .* 256 MB limit/)
    expect(() => assertNotZipBomb(entries.slice(0, 30), 'This Word document')).not.toThrow()
    expect(ZIP_LIMITS.maxTotalBytes).toBe(256 * 1024 * 1024)
  })
})
