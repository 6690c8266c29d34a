import { appendFile, readFile, rename, writeFile } from 'node:fs/promises'

/** A file waiting to be imported. */
export interface QueuedFile {
  path: string
  size: number
  mtime: number
}

type JournalLine = { t: 'add'; files: QueuedFile[] } | { t: 'done'; paths: string[] } | { t: 'clear' }

/**
 * The import queue, kept on disk as an append-only journal so that an import resumes after a
 * crash or a restart. Adding files appends one line; finishing a batch appends one line with the
 * paths committed to the library. A line torn by a crash is ignored on reading: the files it would
 * have finished are simply imported again, which is harmless because an unchanged file is
 * recognised and skipped. When nothing is pending the journal is compacted to nothing.
 */
export class IngestJournal {
  private readonly pendingByPath = new Map<string, QueuedFile>()
  private writes: Promise<void> = Promise.resolve()

  private constructor(readonly file: string) {}

  static async open(file: string): Promise<IngestJournal> {
    const journal = new IngestJournal(file)
    let text = ''
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const line of text.split('\n')) {
      if (!line) continue
      let entry: JournalLine
      try {
        entry = JSON.parse(line) as JournalLine
      } catch {
        continue
      }
      journal.apply(entry)
    }
    return journal
  }

  /** Files added and not yet finished, in the order they were added. */
  pending(): QueuedFile[] {
    return [...this.pendingByPath.values()]
  }

  /** Adds files (a file already pending keeps its place). */
  add(files: QueuedFile[]): Promise<void> {
    const fresh = files.filter((file) => !this.pendingByPath.has(file.path))
    if (fresh.length === 0) return this.writes
    return this.append({ t: 'add', files: fresh })
  }

  /** Records files as finished (imported, skipped or failed: either way no longer pending). */
  done(paths: string[]): Promise<void> {
    if (paths.length === 0) return this.writes
    return this.append({ t: 'done', paths })
  }

  /** Drops everything pending (the user cancelled the import). */
  clear(): Promise<void> {
    return this.append({ t: 'clear' })
  }

  /** Rewrites the journal as just its pending files, atomically; empty when the queue is drained. */
  compact(): Promise<void> {
    this.writes = this.settled().then(async () => {
      const pending = this.pending()
      const tmp = `${this.file}.tmp`
      await writeFile(tmp, pending.length ? JSON.stringify({ t: 'add', files: pending }) + '\n' : '')
      await rename(tmp, this.file)
    })
    return this.writes
  }

  private append(entry: JournalLine): Promise<void> {
    this.apply(entry)
    const line = JSON.stringify(entry) + '\n'
    this.writes = this.settled().then(() => appendFile(this.file, line))
    return this.writes
  }

  /** The previous write, whatever its outcome: one failed write (a full disk) must not block later ones. */
  private settled(): Promise<void> {
    return this.writes.catch(() => undefined)
  }

  private apply(entry: JournalLine): void {
    if (entry.t === 'add') for (const file of entry.files) this.pendingByPath.set(file.path, file)
    else if (entry.t === 'done') for (const path of entry.paths) this.pendingByPath.delete(path)
    else if (entry.t === 'clear') this.pendingByPath.clear()
  }
}
