import { readFile, stat } from 'node:fs/promises'
import type { Table } from '@lancedb/lancedb'
import { cjkChars } from '../text/analyze'
import { libraryPaths, writeWhole } from './library'

/**
 * How many of a library's chunks hold each CJK character, so that a keyword query can leave out
 * the characters too common in the library to tell its passages apart (see `toQueryText`).
 *
 * A CJK character is indexed alone (a unigram) as well as in its two bigrams. A common one, like
 * 的 or 是, matches most Chinese passages: its posting list is long, so it costs the full-text
 * index more than any pair, and BM25 gives it little weight. The query still has its bigrams.
 * The counts are kept by the writer, which sees every chunk, because LanceDB does not report a
 * term's document frequency.
 *
 * Measured on the benchmark's library of 100,000 chunks (10,204 of them with CJK text, of whose
 * characters 181 are common): its Chinese questions' keyword leg took 12.8 ms p50 and 19.7 ms p95
 * with every unigram, 10.1 and 16.0 ms without the common ones. On DRCD (1,110 long passages, 498
 * characters common) nDCG@10 went from 0.9753 to 0.9751; without any unigram it fell to 0.9728,
 * and with a twentieth as the share to 0.9748 (see bench/notes.md, Retrieval).
 */
export const COMMON_CJK_SHARE = 0.1

/**
 * CJK chunks a library must hold before any character counts as common: with fewer, a keyword
 * query is fast whatever it holds, and a few passages say little about how common a character is.
 */
export const COMMON_CJK_MIN_CHUNKS = 1_000

/** Chunks holding CJK text, and of those, how many hold each character. */
export interface CjkCounts {
  chunks: number
  chars: Map<string, number>
}

export function emptyCjkCounts(): CjkCounts {
  return { chunks: 0, chars: new Map() }
}

/** Adds the counts of chunks' `search_text` (or any text of theirs that holds the same characters). */
export function countCjk(texts: Iterable<string>, into: CjkCounts = emptyCjkCounts()): CjkCounts {
  for (const text of texts) {
    const chars = cjkChars(text)
    if (chars.size === 0) continue
    into.chunks++
    for (const char of chars) into.chars.set(char, (into.chars.get(char) ?? 0) + 1)
  }
  return into
}

/** Adds `counts` to `into` (`sign` -1: takes them away). */
export function addCjkCounts(into: CjkCounts, counts: CjkCounts, sign: 1 | -1 = 1): void {
  into.chunks += sign * counts.chunks
  for (const [char, n] of counts.chars) {
    const total = (into.chars.get(char) ?? 0) + sign * n
    if (total > 0) into.chars.set(char, total)
    else into.chars.delete(char)
  }
}

/** The characters of `counts` in more than `COMMON_CJK_SHARE` of the CJK chunks. */
export function commonCjkChars(counts: CjkCounts): Set<string> {
  const common = new Set<string>()
  if (counts.chunks < COMMON_CJK_MIN_CHUNKS) return common
  for (const [char, n] of counts.chars) if (n > COMMON_CJK_SHARE * counts.chunks) common.add(char)
  return common
}

/** Counts the CJK characters of the chunks matching `where` (all of them without it), reading their search text. */
export async function countCjkInTable(table: Table, where?: string): Promise<CjkCounts> {
  const counts = emptyCjkCounts()
  const query = table.query().select(['search_text'])
  for await (const batch of where ? query.where(where) : query) {
    const column = batch.getChild('search_text')
    if (!column) continue
    const texts: string[] = []
    for (let i = 0; i < column.length; i++) texts.push(column.get(i) ?? '')
    countCjk(texts, counts)
  }
  return counts
}

/** Where a library keeps its counts. */
export function cjkCountsPath(dir: string): string {
  return libraryPaths(dir).cjkCounts
}

/** The library's counts; null when it has none (written before they were kept) or they cannot be read. */
export async function readCjkCounts(dir: string): Promise<CjkCounts | null> {
  try {
    const file = JSON.parse(await readFile(cjkCountsPath(dir), 'utf8')) as { chunks?: unknown; chars?: unknown }
    if (typeof file.chunks !== 'number' || typeof file.chars !== 'object' || file.chars === null) return null
    return { chunks: file.chunks, chars: new Map(Object.entries(file.chars as Record<string, number>)) }
  } catch {
    return null
  }
}

/** Writes the counts whole (a reader never sees half a file). */
export async function writeCjkCounts(dir: string, counts: CjkCounts): Promise<void> {
  await writeWhole(cjkCountsPath(dir), JSON.stringify({ chunks: counts.chunks, chars: Object.fromEntries(counts.chars) }))
}

/**
 * The writer's counts, kept in step with the chunks it adds and deletes and written to the library
 * as its documents become searchable. A library written before the counts were kept, or by a
 * writer that died (which may have written chunks it never counted), is counted again from its
 * chunks when the writer finishes: once, and until then its queries keep every character.
 */
export class CjkCountKeeper {
  private changed = false

  private constructor(
    private readonly dir: string,
    private readonly chunks: Table,
    private counts: CjkCounts,
    private recount: boolean
  ) {}

  /** `fresh`: the library was emptied (a rebuild); `recount`: its counts cannot be trusted. */
  static async open(dir: string, chunks: Table, options: { fresh?: boolean; recount?: boolean } = {}): Promise<CjkCountKeeper> {
    // An empty table has nothing to count, whatever a file left from its previous tables says
    // (a library whose database folder was moved aside).
    if (options.fresh || (await chunks.countRows()) === 0) {
      const keeper = new CjkCountKeeper(dir, chunks, emptyCjkCounts(), false)
      keeper.changed = true
      return keeper
    }
    const counts = await readCjkCounts(dir)
    return new CjkCountKeeper(dir, chunks, counts ?? emptyCjkCounts(), options.recount === true || counts === null)
  }

  /** Counts chunks just added. */
  add(counts: CjkCounts): void {
    if (this.recount || counts.chunks === 0) return
    addCjkCounts(this.counts, counts)
    this.changed = true
  }

  /** Takes off the counts the chunks matching `where`, which are about to be deleted. */
  async remove(where: string): Promise<void> {
    if (this.recount) return
    const gone = await countCjkInTable(this.chunks, where)
    if (gone.chunks === 0) return
    addCjkCounts(this.counts, gone, -1)
    this.changed = true
  }

  /** Every chunk was deleted. */
  clear(): void {
    this.counts = emptyCjkCounts()
    this.recount = false
    this.changed = true
  }

  /** Writes the counts if they changed (and can be trusted). */
  async save(): Promise<void> {
    if (!this.changed || this.recount) return
    await writeCjkCounts(this.dir, this.counts)
    this.changed = false
  }

  /** Counts the library again if it must be, and writes the counts. */
  async finish(): Promise<void> {
    if (this.recount) {
      this.counts = await countCjkInTable(this.chunks)
      this.recount = false
      this.changed = true
    }
    await this.save()
  }
}

/**
 * A search thread's view of a library's common characters: the file is read again only when it
 * has changed (one `stat` a search).
 */
export class CommonCjkChars {
  private seen: { mtimeMs: number; size: number; chars: ReadonlySet<string> } | null = null

  constructor(private readonly dir: string) {}

  async get(): Promise<ReadonlySet<string>> {
    const info = await stat(cjkCountsPath(this.dir)).catch(() => null)
    if (!info) {
      this.seen = null
      return NONE
    }
    if (this.seen?.mtimeMs !== info.mtimeMs || this.seen.size !== info.size) {
      const counts = await readCjkCounts(this.dir)
      this.seen = { mtimeMs: info.mtimeMs, size: info.size, chars: counts ? commonCjkChars(counts) : NONE }
    }
    return this.seen.chars
  }
}

const NONE: ReadonlySet<string> = new Set()
