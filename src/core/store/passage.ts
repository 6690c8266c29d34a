import type { Table } from '@lancedb/lancedb'

/**
 * A chunk as a search shows it: the passage and where it lies.
 *
 * The chunks table keeps these fields twice: in columns of their own (for filters, ordering and
 * the document view) and packed together in one string column, `passage`, which is what a search
 * reads for its winners. Reading a row costs LanceDB a read per column, and the winners lie spread
 * over the table's files: at 96,000 chunks, reading 8 winners took 6.4–6.6 ms at p50 and 13–14 ms
 * at p95 from eight columns, 3.6–3.8 and 7–8 ms from one, and whole hybrid searches took
 * 1–2.5 ms less at p50 (bench/notes.md). The text, by far the largest field, lives only in
 * `passage`.
 *
 * Layout: the fields joined by U+001F (the unit separator), text last, so that only the first
 * seven separators are fields' ends and the text may hold anything. No other field can hold one:
 * ids and hashes are hex, numbers are digits, and the headings are JSON, which escapes control
 * characters.
 */
export interface Passage {
  id: string
  doc_id: string
  doc_hash: string
  page: number | null
  start: number
  end: number
  /** JSON array of the heading path. */
  headings: string
  text: string
}

const SEPARATOR = '\u001f'
const FIELDS_BEFORE_TEXT = 7

export function packPassage(p: Passage): string {
  const fields = [p.id, p.doc_id, p.doc_hash, p.page === null ? '' : String(p.page), String(p.start), String(p.end), p.headings]
  if (fields.some((field) => field.includes(SEPARATOR))) throw new Error(`chunk ${p.id} has a control character (U+001F) in a field other than its text`)
  return `${fields.join(SEPARATOR)}${SEPARATOR}${p.text}`
}

export function unpackPassage(packed: string): Passage {
  const fields: string[] = []
  let from = 0
  for (let i = 0; i < FIELDS_BEFORE_TEXT; i++) {
    const to = packed.indexOf(SEPARATOR, from)
    if (to < 0) throw new Error(`a stored passage has ${i} of its ${FIELDS_BEFORE_TEXT + 1} fields`)
    fields.push(packed.slice(from, to))
    from = to + 1
  }
  const [id, doc_id, doc_hash, page, start, end, headings] = fields
  return { id, doc_id, doc_hash, page: page === '' ? null : Number(page), start: Number(start), end: Number(end), headings, text: packed.slice(from) }
}

/**
 * The same packing in LanceDB's SQL, to fill `passage` in a library written before the column
 * existed (tests/library/passage-column.test.ts checks that both agree, row by row).
 */
export const PASSAGE_SQL =
  `concat(id, '${SEPARATOR}', doc_id, '${SEPARATOR}', doc_hash, '${SEPARATOR}', coalesce(cast(page as string), ''), '${SEPARATOR}', ` +
  `cast(start as string), '${SEPARATOR}', cast(\`end\` as string), '${SEPARATOR}', headings, '${SEPARATOR}', text)`

/**
 * Brings a chunks table written before the `passage` column to the current layout: the column
 * is filled from the old ones in one pass (LanceDB writes it beside the existing files, and the
 * indexes stay valid), then the old `text` column is dropped (metadata only). Each step is one
 * commit and the steps are checked again on every open, so a crash between them is finished by
 * the next writer. Returns whether anything was changed.
 */
export async function migrateToPassages(table: Table): Promise<boolean> {
  const columns = new Set((await table.schema()).fields.map((field) => field.name))
  if (!columns.has('text')) return false
  if (!columns.has('passage')) await table.addColumns([{ name: 'passage', valueSql: PASSAGE_SQL }])
  await table.dropColumns(['text'])
  return true
}

/**
 * Whether a chunks table has the `passage` column. A reader may meet a library written before it,
 * which its next writer migrates (see `migrateToPassages`).
 */
export async function hasPassageColumn(table: Table): Promise<boolean> {
  return (await table.schema()).fields.some((field) => field.name === 'passage')
}

/** The columns to read a passage from: the packed one, or those of a library not yet migrated. */
export function passageColumns(packed: boolean): string[] {
  return packed ? ['passage'] : ['id', 'doc_id', 'doc_hash', 'text', 'page', 'headings', 'start', 'end']
}

/** A passage from a row read with `passageColumns`. */
export function passageOf(row: Record<string, unknown>): Passage {
  if (typeof row.passage === 'string') return unpackPassage(row.passage)
  const { id, doc_id, doc_hash, page, start, end, headings, text } = row as unknown as Passage
  return { id, doc_id, doc_hash, page, start, end, headings, text }
}
