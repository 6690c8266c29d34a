import { setImmediate } from 'node:timers/promises'
import type { KnownDocument } from '../store/writer'
import type { QueuedFile } from './journal'
import { ContentOwners } from './owners'
import { documentId } from './prepare'

/**
 * What the library knows of an import's files: their previous versions by document id, which file
 * holds each content (`owners`, see ContentOwners), and which sizes other files have, since a copy
 * has its original's size. Rows come from the store thread (`lookUp`, its `known` task): those of
 * the import's own ids and sizes at first, then of any size a file turned out to have while read.
 */
export class KnownFiles {
  readonly owners = new ContentOwners()
  private readonly rows = new Map<string, KnownDocument>()
  private readonly sizesLookedUp = new Set<number>()
  /** Files of each size, queued or imported when the import started. */
  private readonly filesBySize = new Map<number, number>()

  private constructor(
    private readonly lookUpRows: (docIds: string[], sizes: number[]) => Promise<KnownDocument[]>,
    private readonly queued: ReadonlySet<string>
  ) {}

  static async of(queue: QueuedFile[], lookUpRows: (docIds: string[], sizes: number[]) => Promise<KnownDocument[]>): Promise<KnownFiles> {
    const known = new KnownFiles(lookUpRows, new Set(queue.map((file) => file.path)))
    await known.lookUp(await documentIds(queue), [...new Set(queue.map((file) => file.size))])
    const count = (size: number): void => void known.filesBySize.set(size, (known.filesBySize.get(size) ?? 0) + 1)
    for (const file of queue) count(file.size)
    for (const doc of known.rows.values()) if (doc.status === 'ready') count(doc.size)
    return known
  }

  /** The library's row of the document `docId`, if it has one. */
  previous(docId: string): KnownDocument | null {
    return this.rows.get(docId) ?? null
  }

  /**
   * Whether the thread reading `file` should ask, once it has its hash, whether it is a copy: when
   * another file has its size, or when it is a library document read again (its old content leaves
   * the library if it changed, and copies of that content wait to learn that).
   */
  asksAboutCopies(file: QueuedFile): boolean {
    return (this.filesBySize.get(file.size) ?? 0) > 1 || this.owners.isQueued(file.path)
  }

  /** Makes sure the library's ready documents of `size` are known (a file may have changed size since it was queued). */
  async lookUpSize(size: number): Promise<void> {
    if (!this.sizesLookedUp.has(size)) await this.lookUp([], [size])
  }

  private async lookUp(docIds: string[], sizes: number[]): Promise<void> {
    const rows = await this.lookUpRows(docIds, sizes)
    for (const size of sizes) this.sizesLookedUp.add(size)
    for (const row of rows) this.rows.set(row.id, row)
    this.owners.learn(rows, this.queued)
  }
}

/** Files hashed between two turns of the event loop (about 2 µs each on these machines). */
const IDS_PER_TURN = 1_000

/**
 * The document ids of the queued files. Hashing the paths of a 9,442-file import in one go held
 * the main thread (the app's, for an import from a window) for 20–40 ms, its longest stall of the
 * import; it is done in slices, letting the event loop turn between them.
 */
async function documentIds(queue: QueuedFile[]): Promise<string[]> {
  const ids: string[] = []
  for (let from = 0; from < queue.length; from += IDS_PER_TURN) {
    if (from > 0) await setImmediate()
    for (const file of queue.slice(from, from + IDS_PER_TURN)) ids.push(documentId(file.path))
  }
  return ids
}
