/** Which files DocuMind reads, what it says about the rest, and how a parse is cancelled. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatOf, parseDocument } from '../../src/core/parse/index.ts'
import { ParseFailure } from '../../src/core/types.ts'
import { BAD_INPUTS, CORPUS, bytesOf, expectFailure, parseFile } from './files.ts'

describe('formatOf', () => {
  it.each([
    ['report.pdf', 'pdf'],
    ['C:\\Users\\mei\\Report.DOCX', 'docx'],
    ['alice.epub', 'epub'],
    ['page.html', 'html'],
    ['page.htm', 'html'],
    ['chapter.xhtml', 'html'],
    ['notes.md', 'markdown'],
    ['notes.markdown', 'markdown'],
    ['notes.txt', 'text'],
    ['notes.text', 'text'],
    ['server.log', 'text'],
    ['table.csv', 'csv'],
    ['table.tsv', 'csv'],
    ['/docs/v1.2/README', 'text'],
    ['LICENSE', 'text'],
    ['LICENSE-MIT', 'text']
  ])('%s is %s', (name, format) => {
    expect(formatOf(name)).toBe(format)
  })

  it.each(['photo.png', 'diagram.svg', 'scan.jpg', 'archive.zip', 'backup.tar.gz', 'setup.exe', 'old.doc', '.bashrc', 'mystery'])(
    '%s is not read',
    (name) => {
      expect(formatOf(name)).toBeNull()
    }
  )

  it('sniffs extensionless files: text is read, binary is not', () => {
    const licence = bytesOf(join(CORPUS, 'md/trpl-zh-tw/LICENSE'))
    const elf = bytesOf(join(BAD_INPUTS, 'binary-named.txt'))
    expect(formatOf('COPYING', licence.subarray(0, 8192))).toBe('text')
    expect(formatOf('notes', licence.subarray(0, 8192))).toBe('text')
    expect(formatOf('README', elf.subarray(0, 8192))).toBeNull()
  })

  it('reads every image in corpus-mini as unsupported, not as a failure to guess at', async () => {
    const png = join(CORPUS, 'md/trpl-zh-tw/src/img/trpl14-01.png')
    expect(formatOf(png)).toBeNull()
    const failure = await expectFailure(parseFile(png), 'unsupported')
    expect(failure.message).toMatch(/does not read \.png files/)
  })

  it('refuses an extensionless binary file as not text', async () => {
    const failure = await expectFailure(parseDocument(bytesOf(join(BAD_INPUTS, 'binary-named.txt')), 'program'), 'not-text')
    expect(failure.message).toMatch(/binary data/)
  })
})

describe('cancellation', () => {
  it('throws the signal reason, not a ParseFailure, when aborted before starting', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await parseFile(join(CORPUS, 'epub/alice.epub'), controller.signal).catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(ParseFailure)
    expect((error as Error).name).toBe('AbortError')
  })

  it('stops a long PDF between pages', async () => {
    const controller = new AbortController()
    const reason = new Error('import cancelled')
    const parse = parseFile(join(CORPUS, 'pdf/R-intro.pdf'), controller.signal)
    setTimeout(() => controller.abort(reason), 100)
    const started = performance.now()
    await expect(parse).rejects.toBe(reason)
    // A whole parse of this file takes about a second; an abort stops it well before the end.
    console.log(`R-intro.pdf parse stopped ${(performance.now() - started).toFixed(0)} ms after start`)
  })
})
