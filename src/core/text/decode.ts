/**
 * Turns the bytes of a text file (plain text, Markdown, CSV, HTML) into a string, choosing the
 * encoding the way a person would expect: a byte-order mark wins; otherwise UTF-8; otherwise the
 * encoding an HTML page declares; otherwise Big5 if the bytes read cleanly as Traditional Chinese;
 * otherwise UTF-8 with the bad bytes replaced and a warning. Binary data is refused rather than indexed as garbage.
 */
import { ParseFailure } from '../types.ts'
import { normalizeText } from './normalize.ts'

/** The decoded text of a file and anything a person may want to know about how it was read. */
export interface DecodedText {
  text: string
  warnings: string[]
}

/** How many leading bytes the binary check looks at. */
const SNIFF_BYTES = 8192
/** Share of control bytes above which a file is taken for binary data. */
const MAX_CONTROL_SHARE = 0.1

type Bom = { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number }

function byteOrderMark(bytes: Uint8Array): Bom | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 }
  return null
}

/**
 * UTF-16 without a byte-order mark, as written by some Windows tools: in mostly-ASCII text every
 * other byte is zero. Recognised here so that such files are not mistaken for binary data.
 */
function bomlessUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const pairs = Math.floor(head.length / 2)
  if (pairs < 8) return null
  let zeroEven = 0
  let zeroOdd = 0
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) zeroEven++
    if (head[i + 1] === 0) zeroOdd++
  }
  if (zeroOdd > pairs * 0.9 && zeroEven < pairs * 0.05) return 'utf-16le'
  if (zeroEven > pairs * 0.9 && zeroOdd < pairs * 0.05) return 'utf-16be'
  return null
}

/** True when the first bytes contain NUL or too many other control bytes to be text. */
function looksBinary(head: Uint8Array): boolean {
  let control = 0
  for (const byte of head) {
    if (byte === 0) return true
    // Tab, LF, VT, FF, CR and ESC (ANSI colours in logs) are normal in text files.
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0b && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) {
      control++
    }
  }
  return head.length > 0 && control / head.length > MAX_CONTROL_SHARE
}

/**
 * True when `head` (the first bytes of a file) reads as text rather than binary data: it has a
 * byte-order mark, or is BOM-less UTF-16, or has no NUL bytes and few control bytes.
 */
export function sniffText(head: Uint8Array): boolean {
  const sample = head.subarray(0, SNIFF_BYTES)
  if (sample.length === 0) return false
  return byteOrderMark(sample) !== null || bomlessUtf16(sample) !== null || !looksBinary(sample)
}

/** CJK ideographs, CJK punctuation, Bopomofo and full-width forms: what Big5 text consists of. */
function isCjk(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x2fdf) ||
    (code >= 0x3000 && code <= 0x312f) ||
    (code >= 0x31a0 && code <= 0x31bf) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef)
  )
}

/**
 * Decodes as Big5 when the bytes are valid Big5 and what they give is mostly Chinese. Many
 * Traditional-Chinese text files predate UTF-8; Latin-1 text, by contrast, almost never forms valid
 * Big5 byte pairs, and when it does the result is not mostly CJK.
 */
function tryBig5(bytes: Uint8Array): string | null {
  let text: string
  try {
    text = new TextDecoder('big5', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
  let nonAscii = 0
  let cjk = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    nonAscii++
    if (isCjk(code)) cjk++
  }
  return nonAscii > 0 && cjk >= nonAscii * 0.8 ? text : null
}

/** Counts U+FFFD that were already in the file as valid UTF-8 (EF BF BD), so they are not blamed on decoding. */
function countEncodedReplacementChars(bytes: Uint8Array): number {
  let count = 0
  for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++
  }
  return count
}

function countReplacementChars(text: string): number {
  let count = 0
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) count++
  return count
}

// Windows-1252's printable characters at 0x80–0x9F (the WHATWG table); 0 marks the five unused bytes.
const WINDOWS_1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
]

/**
 * Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1, turning €, – and curly quotes into
 * invisible C1 controls; this puts the real characters back (and is a no-op where Node is fixed).
 */
function windows1252Char(char: string): string {
  const code = WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]
  return code ? String.fromCharCode(code) : char
}

/** A TextDecoder for an encoding label the file declares, if Node knows it. */
function declaredDecoder(label: string | undefined): TextDecoder | null {
  if (label === undefined) return null
  try {
    return new TextDecoder(label)
  } catch {
    return null
  }
}

function decodeWithoutBom(bytes: Uint8Array, warnings: string[], declaredEncoding?: string): string {
  try {
    // Valid UTF-8 wins over a declaration: pages that say "iso-8859-1" but are UTF-8 are common,
    // and bytes that form valid UTF-8 by accident in a legacy encoding are rare.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    // Not UTF-8: fall through to the legacy encodings and finally to a lossy decode.
  }
  const declared = declaredDecoder(declaredEncoding)
  if (declared !== null && declared.encoding !== 'utf-8') {
    const text = declared.decode(bytes)
    return declared.encoding === 'windows-1252' ? text.replace(/[\u0080-\u009f]/g, windows1252Char) : text
  }
  const big5 = tryBig5(bytes)
  if (big5 !== null) {
    warnings.push('The file is not UTF-8; it was read as Big5 (Traditional Chinese).')
    return big5
  }
  const text = new TextDecoder('utf-8').decode(bytes)
  const replaced = countReplacementChars(text) - countEncodedReplacementChars(bytes)
  const what = replaced === 1 ? 'invalid UTF-8 byte sequence was' : 'invalid UTF-8 byte sequences were'
  warnings.push(`${replaced} ${what} replaced with \uFFFD; the file is not entirely valid UTF-8.`)
  return text
}

const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i

/** The encoding an HTML file declares in a <meta> tag near its start, e.g. "windows-1252". */
export function declaredHtmlEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048))
  return META_CHARSET.exec(head)?.[1]
}

/**
 * Decodes the bytes of a text file and normalises the result (see `normalizeText`).
 * `declaredEncoding` (from an HTML <meta charset>) is used when the bytes are not valid UTF-8.
 * Throws `ParseFailure('not-text')` for binary data and `ParseFailure('empty')` for a file with
 * nothing but whitespace.
 */
export function decodeText(bytes: Uint8Array, fileName: string, declaredEncoding?: string): DecodedText {
  const warnings: string[] = []
  const head = bytes.subarray(0, SNIFF_BYTES)
  const bom = byteOrderMark(head)
  let text: string
  if (bom) {
    text = new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length))
  } else {
    const utf16 = bomlessUtf16(head)
    if (utf16) {
      text = new TextDecoder(utf16).decode(bytes)
    } else {
      if (looksBinary(head)) {
        const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
        throw new ParseFailure('not-text', `${name} looks like binary data, not text, so it was not imported.`)
      }
      text = decodeWithoutBom(bytes, warnings, declaredEncoding)
    }
  }
  const normalized = normalizeText(text)
  if (normalized.trim() === '') {
    throw new ParseFailure('empty', bytes.length === 0 ? 'The file is empty.' : 'The file is empty: it contains only whitespace.')
  }
  return { text: normalized, warnings }
}
