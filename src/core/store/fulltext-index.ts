import type { Table } from '@lancedb/lancedb'
import { loadLance } from './lance'

/** Builds (or replaces) the chunks table's full-text index over `search_text`, as the writer does. */
export async function buildFullTextIndex(chunks: Table): Promise<void> {
  const { Index } = await loadLance()
  // Positions are not stored: user text is always matched as terms (MatchQuery), never phrases,
  // and the index is about half the size without them.
  await chunks.createIndex('search_text', {
    config: Index.fts({ withPosition: false, stem: true, removeStopWords: true, lowercase: true, asciiFolding: true }),
    replace: true
  })
}

/** Whether one of a table's indexes (as `listIndices` gives them) is the full-text index. */
export function indexesSearchText(index: { columns: string[] }): boolean {
  return index.columns.includes('search_text')
}
