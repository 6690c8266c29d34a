import type { LibraryReader } from '../../src/core/store/reader'
import { unpackPassage } from '../../src/core/store/passage'
import { seededRandom } from './stats'

/**
 * Search questions from a library's own passages: windows of 4 to 12 words from its first 50,000
 * chunks, chosen by a generator seeded with `seed`, so the same library gives the same questions
 * every run and they are never tuned to anything.
 */
export async function queriesFrom(reader: LibraryReader, count: number, seed: number): Promise<string[]> {
  const table = (await reader.chunks())!
  const rows = (await table.query().select(['passage']).limit(50_000).toArray()).map((row) => unpackPassage(row.passage as string))
  const random = seededRandom(seed)
  const queries: string[] = []
  while (queries.length < count) {
    const words = String(rows[Math.floor(random() * rows.length)].text).split(/\s+/).filter(Boolean)
    if (words.length < 4) continue
    const length = 4 + Math.floor(random() * 9)
    const start = Math.floor(random() * Math.max(1, words.length - length))
    queries.push(words.slice(start, start + length).join(' '))
  }
  return queries
}
