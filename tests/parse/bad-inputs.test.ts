/**
 * The hand-broken files in bad-inputs: none may stop an import. Each was opened and read before
 * writing its expectation (see the comments): the code says what went wrong, the message says it
 * in words a person understands.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ParseFailureCode } from '../../src/core/types.ts'
import { BAD_INPUTS, expectFailure, filesUnder, fullText, parseFile } from './files.ts'

interface Expected {
  code: ParseFailureCode
  message: RegExp
}

/** Every file that must fail, with why. */
const FAILURES: Record<string, Expected> = {
  // An ELF shared library renamed to .txt.
  'binary-named.txt': { code: 'not-text', message: /^binary-named\.txt looks like binary data, not text/ },
  'empty.pdf': { code: 'empty', message: /empty/ },
  'empty.txt': { code: 'empty', message: /empty/ },
  // "%PDF-1.7" followed by one line of prose: a header and nothing else.
  'fake.pdf': { code: 'corrupt', message: /PDF is damaged or truncated/ },
  // A real PDF cut off after 30,000 bytes, before its cross-reference table.
  'truncated.pdf': { code: 'corrupt', message: /PDF is damaged or truncated/ },
  // "PK\x03\x04 not a zip": a zip signature and nothing else.
  'not-a-zip.docx': { code: 'corrupt', message: /not a valid Word document/ },
  // A real EPUB (mimetype, container, chapters) cut off after 50,000 bytes: no zip directory.
  'truncated.epub': { code: 'corrupt', message: /not a valid EPUB.*truncated/ },
  // Apache POI fuzzer cases: real Word parts (some with readable document.xml) whose zip directory
  // is cut short or whose headers are garbled. Word itself refuses them as corrupt; so do we.
  'clusterfuzz-testcase-minimized-POIFuzzer-6709287337197568.docx': { code: 'corrupt', message: /damaged or truncated: 2558 bytes of its zip directory are missing/ },
  'clusterfuzz-testcase-minimized-POIXWPFFuzzer-4791943399604224.docx': { code: 'corrupt', message: /damaged or truncated/ },
  'clusterfuzz-testcase-minimized-POIXWPFFuzzer-4959857092198400.docx': { code: 'corrupt', message: /damaged or truncated/ },
  'clusterfuzz-testcase-minimized-POIXWPFFuzzer-5166796835258368.docx': { code: 'corrupt', message: /damaged or truncated/ },
  'clusterfuzz-testcase-minimized-POIXWPFFuzzer-5313273089884160.docx': { code: 'corrupt', message: /not a valid Word document/ },
  'clusterfuzz-testcase-minimized-POIXWPFFuzzer-5564805011079168.docx': { code: 'corrupt', message: /not a valid Word document/ }
}

describe('bad-inputs', () => {
  it('has no file this test does not know about', () => {
    const known = new Set([...Object.keys(FAILURES), 'invalid-utf8.md', 'one-huge-line.txt'])
    expect(filesUnder(BAD_INPUTS).filter((file) => !known.has(file))).toEqual([])
  })

  for (const [file, expected] of Object.entries(FAILURES)) {
    it(`${file} fails as ${expected.code}`, async () => {
      const failure = await expectFailure(parseFile(join(BAD_INPUTS, file)), expected.code)
      expect(failure.message).toMatch(expected.message)
    })
  }

  it('imports the Markdown file with invalid UTF-8 bytes, with a warning', async () => {
    // "valid start " FF FE FD " broken utf8 " C3 28 " end": three stray bytes and a cut-off sequence.
    const doc = await parseFile(join(BAD_INPUTS, 'invalid-utf8.md'))
    expect(doc.format).toBe('markdown')
    expect(fullText(doc)).toBe('valid start \uFFFD\uFFFD\uFFFD broken utf8 \uFFFD( end')
    expect(doc.warnings).toEqual([expect.stringMatching(/^4 invalid UTF-8 byte sequences were replaced/)])
  })

  it('imports the 3 MB single-line text file quickly', async () => {
    const started = performance.now()
    const doc = await parseFile(join(BAD_INPUTS, 'one-huge-line.txt'))
    const ms = performance.now() - started
    console.log(`one-huge-line.txt (3.2 MB): ${ms.toFixed(0)} ms`)
    expect(doc.format).toBe('text')
    expect(doc.sections).toHaveLength(1)
    expect(doc.sections[0].text).toHaveLength(3_239_999)
    expect(doc.sections[0].text.startsWith('lorem ipsum dolor sit amet')).toBe(true)
    expect(doc.warnings).toEqual([])
  })
})
