/**
 * A small, defensive ZIP reader for the zip-based formats (DOCX, EPUB).
 *
 * It reads the central directory itself so that a decompression bomb is refused from the declared
 * sizes before anything is inflated, and it inflates with a hard output cap (zlib's
 * `maxOutputLength`) so that an entry whose header lies about its size cannot exhaust memory
 * either. jszip (under mammoth) and adm-zip (under epub2) trust the headers and inflate whole
 * entries into memory, which is what a bomb exploits.
 */
import { inflateRawSync } from 'node:zlib'
import { ParseFailure } from '../types.ts'

/** One file inside a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
}

/** Limits beyond which an archive is refused as a likely decompression bomb. */
export const ZIP_LIMITS = {
  /** Total declared uncompressed size of all entries. */
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 20_000,
  /** An entry this large must not be compressed more than `maxRatio` to 1. */
  ratioCheckBytes: 8 * 1024 * 1024,
  /** Real XML compresses 5–30 to 1; a run of zeros, 1000 to 1. */
  maxRatio: 200
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL_HEADER = 0x02014b50
const LOCAL_HEADER = 0x04034b50
const MAX_UINT32 = 0xffffffff
const MB = 1024 * 1024

function formatSize(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1)} GB`
  if (bytes >= MB) return `${Math.round(bytes / MB)} MB`
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`
}

/** `what` names the document in messages: "This Word document", "This EPUB". */
function damaged(what: string, reason: string): ParseFailure {
  return new ParseFailure('corrupt', `${what} is damaged or truncated: ${reason}.`)
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end of the file.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let i = view.byteLength - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) === EOCD) return i
  }
  return -1
}

function readUint64(view: DataView, offset: number): number {
  return Number(view.getBigUint64(offset, true))
}

/** Reads the entry list of a zip archive. Throws `ParseFailure('corrupt')` when there is none to read. */
export function readZipDirectory(bytes: Uint8Array, what: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const eocd = bytes.length >= 22 ? findEndOfCentralDirectory(view) : -1
  if (eocd < 0) {
    const kind = what.replace(/^This /, '')
    throw new ParseFailure(
      'corrupt',
      `This is not a valid ${kind}: it has no zip directory at its end, so it is truncated or not a zip archive at all.`
    )
  }
  let count = view.getUint16(eocd + 10, true)
  let directorySize = view.getUint32(eocd + 12, true)
  let directoryOffset = view.getUint32(eocd + 16, true)
  if (directoryOffset === MAX_UINT32 || count === 0xffff) {
    const locator = eocd - 20
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) throw damaged(what, 'its ZIP64 directory is missing')
    const record = readUint64(view, locator + 8)
    if (record + 56 > bytes.length || view.getUint32(record, true) !== ZIP64_EOCD) throw damaged(what, 'its ZIP64 directory is broken')
    count = readUint64(view, record + 32)
    directorySize = readUint64(view, record + 40)
    directoryOffset = readUint64(view, record + 48)
  }
  if (count > ZIP_LIMITS.maxEntries) {
    throw new ParseFailure('too-large', `${what} holds ${count} files, more than the ${ZIP_LIMITS.maxEntries} DocuMind accepts.`)
  }
  if (directoryOffset + directorySize > eocd) {
    throw damaged(what, `${directoryOffset + directorySize - eocd} bytes of its zip directory are missing`)
  }
  const names = new TextDecoder('utf-8')
  const entries: ZipEntry[] = []
  let at = directoryOffset
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL_HEADER) throw damaged(what, 'its zip directory is broken')
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true)
    }
    readZip64Sizes(view, at + 46 + nameLength, extraLength, entry)
    entries.push(entry)
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** Sizes and offsets too big for 32 bits are in the ZIP64 extra field (id 1), in a fixed order. */
function readZip64Sizes(view: DataView, start: number, length: number, entry: ZipEntry): void {
  const end = Math.min(start + length, view.byteLength)
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true)
    const size = view.getUint16(at + 2, true)
    if (id === 1) {
      let field = at + 4
      for (const key of ['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] !== MAX_UINT32) continue
        if (field + 8 > end) return
        entry[key] = readUint64(view, field)
        field += 8
      }
      return
    }
    at += 4 + size
  }
}

/**
 * Refuses archives that would unpack to more than `ZIP_LIMITS` allow, judging from the declared
 * sizes alone: nothing has been inflated yet.
 */
export function assertNotZipBomb(entries: readonly ZipEntry[], what: string): void {
  let total = 0
  for (const entry of entries) {
    total += entry.uncompressedSize
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize)
    if (entry.uncompressedSize > ZIP_LIMITS.ratioCheckBytes && ratio > ZIP_LIMITS.maxRatio) {
      throw new ParseFailure(
        'too-large',
        `${what} looks like a decompression bomb: its part "${entry.name}" would expand from ` +
          `${formatSize(entry.compressedSize)} to ${formatSize(entry.uncompressedSize)}, so it was not opened.`
      )
    }
  }
  if (total > ZIP_LIMITS.maxTotalBytes) {
    throw new ParseFailure(
      'too-large',
      `${what} would expand to ${formatSize(total)} when unpacked, over DocuMind's ` +
        `${formatSize(ZIP_LIMITS.maxTotalBytes)} limit (it may be a decompression bomb), so it was not opened.`
    )
  }
}

/**
 * Inflates one entry, never producing more bytes than its declared size: an entry that tries to is
 * refused as a bomb (or a damaged file) instead of filling memory.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, what: string): Uint8Array {
  if ((entry.flags & 1) !== 0) {
    throw new ParseFailure('encrypted', `${what} is encrypted (its part "${entry.name}" needs a password), so DocuMind cannot read it.`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const header = entry.localHeaderOffset
  if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL_HEADER) {
    throw damaged(what, `its part "${entry.name}" is missing`)
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true)
  const end = start + entry.compressedSize
  if (end > bytes.length) throw damaged(what, `its part "${entry.name}" is cut short`)
  const data = bytes.subarray(start, end)
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw damaged(what, `its part "${entry.name}" has inconsistent sizes`)
    return data
  }
  if (entry.method !== 8) throw damaged(what, `its part "${entry.name}" uses an unknown compression method (${entry.method})`)
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) })
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ParseFailure(
        'too-large',
        `${what} looks like a decompression bomb or is damaged: its part "${entry.name}" expands to more than the ` +
          `${formatSize(entry.uncompressedSize)} its zip directory declares, so it was not opened.`
      )
    }
    throw damaged(what, `its part "${entry.name}" cannot be decompressed (${(error as Error).message})`)
  }
}

/** Reads an entry as UTF-8 text (the XML parts of DOCX and EPUB). */
export function readZipText(bytes: Uint8Array, entry: ZipEntry, what: string): string {
  return new TextDecoder('utf-8').decode(readZipEntry(bytes, entry, what))
}
