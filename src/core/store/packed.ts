import type { Data, Table as ArrowTable } from 'apache-arrow'
import { arrow } from './arrow'
import { countCjk, type CjkCounts } from './cjk-counts'
import { chunkSchema, type ChunkColumns } from './schema'

const { FixedSizeList, Float32, Int32, RecordBatch, Struct, Table, Utf8, makeData } = arrow

/**
 * Chunks packed into one transferable buffer, laid out as Arrow lays out its columns (UTF-8 bytes
 * with offsets, 32-bit integers with a validity bitmap, packed floats). This is how chunks travel
 * from an ingest thread through the coordinator to the writer: one buffer moves between threads
 * instead of thousands of strings being cloned twice, and the writer turns a batch of them into
 * Arrow columns with a few copies, without building Arrow value by value (which cost more than
 * parsing the HTML it came from).
 */
export interface PackedChunks {
  count: number
  dim: number
  buffer: ArrayBuffer
  /** Where each column's parts lie in `buffer`: [byte offset, length in elements]. */
  layout: Record<PackedPart, [number, number]>
  /** The chunks' CJK characters, counted where their text is still strings (see cjk-counts.ts). */
  cjk: CjkCounts
}

const STRING_COLUMNS = ['id', 'doc_id', 'doc_hash', 'search_text', 'headings', 'passage'] as const
const INT_COLUMNS = ['ord', 'start', 'end', 'page'] as const
type StringColumn = (typeof STRING_COLUMNS)[number]
type IntColumn = (typeof INT_COLUMNS)[number]
type PackedPart = `${StringColumn}.offsets` | `${StringColumn}.bytes` | IntColumn | 'page.valid' | 'vectors'

const align8 = (n: number): number => (n + 7) & ~7

/** Packs a document's (or several documents') chunk columns; `dim` floats per vector. */
export function packChunks(columns: ChunkColumns, dim: number): PackedChunks {
  const count = columns.id.length
  if (columns.vectors.length !== count * dim) throw new Error(`chunk batch has ${columns.vectors.length} floats for ${count} vectors of ${dim}`)
  const layout = {} as PackedChunks['layout']
  let size = 0
  const reserve = (part: PackedPart, bytes: number, elements: number): void => {
    layout[part] = [size, elements]
    size = align8(size + bytes)
  }
  const byteLengths = new Map<StringColumn, number>()
  for (const column of STRING_COLUMNS) {
    let bytes = 0
    for (const value of columns[column]) bytes += Buffer.byteLength(value, 'utf8')
    byteLengths.set(column, bytes)
    reserve(`${column}.offsets`, (count + 1) * 4, count + 1)
    reserve(`${column}.bytes`, bytes, bytes)
  }
  for (const column of INT_COLUMNS) reserve(column, count * 4, count)
  reserve('page.valid', Math.ceil(count / 8), Math.ceil(count / 8))
  reserve('vectors', count * dim * 4, count * dim)

  const buffer = new ArrayBuffer(size)
  const bytes = Buffer.from(buffer)
  for (const column of STRING_COLUMNS) {
    const offsets = new Int32Array(buffer, ...layout[`${column}.offsets`])
    let at = layout[`${column}.bytes`][0]
    const start = at
    columns[column].forEach((value, i) => {
      offsets[i] = at - start
      at += bytes.write(value, at, 'utf8')
    })
    offsets[count] = at - start
  }
  for (const column of ['ord', 'start', 'end'] as const) new Int32Array(buffer, ...layout[column]).set(columns[column])
  const page = new Int32Array(buffer, ...layout.page)
  const valid = new Uint8Array(buffer, ...layout['page.valid'])
  columns.page.forEach((value, i) => {
    if (value === null) return
    page[i] = value
    valid[i >> 3] |= 1 << (i & 7)
  })
  new Float32Array(buffer, ...layout.vectors).set(columns.vectors)
  return { count, dim, buffer, layout, cjk: countCjk(columns.search_text) }
}

/** One Arrow table of the chunks table's schema from packed parts, all with vectors of `dim` floats. */
export function packedToArrow(parts: PackedChunks[], dim: number): ArrowTable {
  for (const part of parts) {
    if (part.dim !== dim) throw new Error(`a chunk batch has vectors of ${part.dim} floats, not the library's ${dim}`)
  }
  const length = parts.reduce((sum, part) => sum + part.count, 0)
  const view = <T extends Int32Array | Uint8Array | Float32Array>(Kind: new (b: ArrayBuffer, o: number, n: number) => T, part: PackedChunks, name: PackedPart): T =>
    new Kind(part.buffer, ...part.layout[name])

  const strings = (column: StringColumn): Data => {
    const valueOffsets = new Int32Array(length + 1)
    const total = parts.reduce((sum, part) => sum + part.layout[`${column}.bytes`][1], 0)
    const data = new Uint8Array(total)
    let row = 0
    let base = 0
    for (const part of parts) {
      const offsets = view(Int32Array, part, `${column}.offsets`)
      for (let i = 0; i < part.count; i++) valueOffsets[row + i] = base + offsets[i]
      data.set(view(Uint8Array, part, `${column}.bytes`), base)
      row += part.count
      base += offsets[part.count]
    }
    valueOffsets[length] = base
    return makeData({ type: new Utf8(), length, nullCount: 0, valueOffsets, data })
  }
  const ints = (column: IntColumn): Int32Array => {
    const out = new Int32Array(length)
    let row = 0
    for (const part of parts) {
      out.set(view(Int32Array, part, column), row)
      row += part.count
    }
    return out
  }
  const pageValid = new Uint8Array(Math.ceil(length / 8))
  let nullPages = 0
  let row = 0
  for (const part of parts) {
    const valid = view(Uint8Array, part, 'page.valid')
    for (let i = 0; i < part.count; i++, row++) {
      if (valid[i >> 3] & (1 << (i & 7))) pageValid[row >> 3] |= 1 << (row & 7)
      else nullPages++
    }
  }
  const vectors = new Float32Array(length * dim)
  row = 0
  for (const part of parts) {
    vectors.set(view(Float32Array, part, 'vectors'), row * dim)
    row += part.count
  }

  const schema = chunkSchema(dim)
  const int = (column: IntColumn): Data => makeData({ type: new Int32(), length, nullCount: 0, data: ints(column) })
  const children: Data[] = [
    strings('id'),
    strings('doc_id'),
    strings('doc_hash'),
    int('ord'),
    strings('search_text'),
    makeData({ type: new Int32(), length, nullCount: nullPages, data: ints('page'), nullBitmap: pageValid }),
    strings('headings'),
    int('start'),
    int('end'),
    makeData({
      type: schema.fields[9].type as InstanceType<typeof FixedSizeList>,
      length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: length * dim, data: vectors })
    }),
    strings('passage')
  ]
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }))
  return new Table([batch])
}
