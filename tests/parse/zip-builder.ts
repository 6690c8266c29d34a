/**
 * Builds zip archives byte by byte for the decompression-bomb tests, including archives whose
 * headers lie, which no zip library would write. The deflate streams are real: what the tests
 * refuse would really inflate to what the comments say.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib'

/** One archive member: `data` is stored or deflated as is; `declaredSize` may understate the truth. */
export interface ZipMember {
  name: string
  /** The member's bytes after compression (deflated members) or as stored. */
  data: Uint8Array
  method: 0 | 8
  crc: number
  uncompressedSize: number
  /** Written to the headers instead of `uncompressedSize`, to build a member that lies. */
  declaredSize?: number
}

/** A deflated member from plain content. */
export function deflated(name: string, content: string | Uint8Array): ZipMember {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return { name, data: deflateRawSync(bytes), method: 8, crc: crc32(bytes), uncompressedSize: bytes.length }
}

/** A stored (uncompressed) member, as EPUB requires for its `mimetype`. */
export function stored(name: string, content: string): ZipMember {
  const bytes = Buffer.from(content, 'utf8')
  return { name, data: bytes, method: 0, crc: crc32(bytes), uncompressedSize: bytes.length }
}

/**
 * A member holding `mebibytes` MiB of zeros, deflated to about 1 KB per MiB without ever holding
 * the zeros in memory: one MiB of zeros is deflated once, ending in a full flush (which makes the
 * block independent of what came before), then that block is repeated and a final empty block
 * closes the stream.
 */
export function zeros(name: string, mebibytes: number): ZipMember {
  const mib = Buffer.alloc(1 << 20)
  const block = deflateRawSync(mib, { finishFlush: constants.Z_FULL_FLUSH })
  const end = deflateRawSync(Buffer.alloc(0))
  const data = Buffer.concat([...Array.from({ length: mebibytes }, () => block), end])
  let crc = 0
  for (let i = 0; i < mebibytes; i++) crc = crc32(mib, crc)
  return { name, data, method: 8, crc, uncompressedSize: mebibytes * (1 << 20) }
}

/** Writes the archive: local headers and data, then the central directory and its end record. */
export function zipArchive(members: readonly ZipMember[]): Uint8Array {
  const chunks: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8')
    const size = member.declaredSize ?? member.uncompressedSize
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt16LE(member.method, 8)
    local.writeUInt32LE(member.crc >>> 0, 14)
    local.writeUInt32LE(member.data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    chunks.push(local, name, Buffer.from(member.data))

    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(0x0800, 8)
    entry.writeUInt16LE(member.method, 10)
    entry.writeUInt32LE(member.crc >>> 0, 16)
    entry.writeUInt32LE(member.data.length, 20)
    entry.writeUInt32LE(size, 24)
    entry.writeUInt16LE(name.length, 28)
    entry.writeUInt32LE(offset, 42)
    central.push(entry, name)
    offset += 30 + name.length + member.data.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...chunks, directory, end]))
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '</Types>'
const RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
  '</Relationships>'

const DOCUMENT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>'
// mammoth maps Word styles to h1–h6 by their names, which live in styles.xml.
const STYLES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
  '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>' +
  '</w:styles>'

/** The XML of a Word body with one heading and one paragraph. */
export function wordDocumentXml(heading: string, paragraph: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
    `<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>${heading}</w:t></w:r></w:p>` +
    `<w:p><w:r><w:t>${paragraph}</w:t></w:r></w:p>` +
    '</w:body></w:document>'
  )
}

/** The parts every .docx needs, plus `extra`. */
export function docxMembers(documentXml: string | ZipMember, extra: ZipMember[] = []): ZipMember[] {
  const document = typeof documentXml === 'string' ? deflated('word/document.xml', documentXml) : documentXml
  return [
    deflated('[Content_Types].xml', CONTENT_TYPES),
    deflated('_rels/.rels', RELS),
    deflated('word/_rels/document.xml.rels', DOCUMENT_RELS),
    deflated('word/styles.xml', STYLES),
    document,
    ...extra
  ]
}
