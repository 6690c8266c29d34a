/**
 * Plain text and delimited tables. Text is one section. A CSV or TSV file is split into sections of
 * a few thousand characters, each starting with the header row, so that a passage cited from row
 * 5,000 still says what its columns are. (LangChain's CSVLoader makes one document per row instead:
 * thousands of tiny passages, each too short to match a question well.)
 */
import { SectionList } from './sections.ts'

/** Roughly how much text one CSV section holds before a new one starts. */
const CSV_SECTION_CHARS = 4000

/** One section holding the whole text. */
export function textSections(text: string): SectionList {
  const sections = new SectionList()
  sections.add(text, [])
  return sections
}

/**
 * Splits delimited text into records (rows). A quoted CSV field may contain line breaks, so a row
 * ends only at a line break outside quotes; TSV has no quoting, so every line is a row.
 */
function splitRecords(text: string, quoted: boolean): string[] {
  if (!quoted) return text.split('\n')
  const records: string[] = []
  let start = 0
  let inQuotes = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (char === 0x22) inQuotes = !inQuotes
    else if (char === 0x0a && !inQuotes) {
      records.push(text.slice(start, i))
      start = i + 1
    }
  }
  records.push(text.slice(start))
  return records
}

/** Sections of rows, each led by the header row. */
export function delimitedSections(text: string, delimiter: ',' | '\t'): SectionList {
  const sections = new SectionList()
  const records = splitRecords(text, delimiter === ',').filter((record) => record.trim() !== '')
  const header = records[0]
  if (header === undefined) return sections
  let rows: string[] = [header]
  let size = header.length
  for (let i = 1; i < records.length; i++) {
    if (size > CSV_SECTION_CHARS && rows.length > 1) {
      sections.add(rows.join('\n'), [])
      rows = [header]
      size = header.length
    }
    rows.push(records[i])
    size += records[i].length + 1
  }
  sections.add(rows.join('\n'), [])
  return sections
}
