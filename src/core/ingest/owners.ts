import type { KnownDocument } from '../store/writer'

/**
 * Which file holds a content, so that an import skips a file whose content the library already has
 * (a copy) and reads it once when several files of the import share it.
 *
 * A file holds its content for sure once it is in the library and this import does not read it
 * again, or once this import has read it and found it unchanged or indexed it. A library document
 * whose file the import reads again holds its old content only until the file is found changed:
 * skipping a copy of that content would lose it (a file holding another's old content, imported
 * while the other is edited). So such a holder is `queued` until its file is handed to the pool, then
 * `reading` until its outcome is known, and a copy waits for a holder that is `reading`; a file
 * that reads new content claims it the same way, and its copies wait for its outcome.
 *
 * Waits cannot deadlock: a copy waits only for a file handed to the pool before it (the pool runs
 * every file it is handed at once, see coordinator.ts), and a file finds out whether it changed
 * before it asks about copies, so no file being read waits for one waiting on it. A copy that
 * meets only a `queued` holder is not skipped: the import hands the files the library has to the
 * pool first, so that happens only when a library file became a copy of another library file
 * queued after it, and then both stay in the library.
 */
export class ContentOwners {
  private readonly holders = new Map<string, Holding>()
  private readonly byHash = new Map<string, Set<string>>()
  /** Counts holdings: of two files that hold the same content, the one that held it first owns it. */
  private held = 0
  /** Library rows already taken in (a later lookup must not bring back a content a file has since left). */
  private readonly learned = new Set<string>()

  /** Takes in the library's rows; the ready ones of files in `queued` will be read again. */
  learn(rows: KnownDocument[], queued: ReadonlySet<string>): void {
    for (const row of rows) {
      if (this.learned.has(row.path)) continue
      this.learned.add(row.path)
      if (row.status === 'ready') this.hold(row.path, row.hash, queued.has(row.path) ? 'queued' : 'held')
    }
  }

  /** Whether the library has `path` ready and this import has yet to find out if it changed. */
  isQueued(path: string): boolean {
    return this.holders.get(path)?.state === 'queued'
  }

  /** `path` was handed to the pool: a copy of what it holds may now wait for its outcome. */
  reading(path: string): void {
    const holding = this.holders.get(path)
    if (holding) this.hold(path, holding.hash, 'reading')
  }

  /**
   * The file that holds `hash`, other than `self`; null when none does, or when `self` held it
   * first. Waits (through `wait`, which may stop a clock meanwhile) for files being read that may
   * hold it.
   */
  async ownerOf(hash: string, self: string, wait: (outcome: Promise<unknown>) => Promise<unknown> = (outcome) => outcome): Promise<string | null> {
    for (;;) {
      const mine = this.holders.get(self)
      const since = mine?.hash === hash && mine.state === 'held' ? mine.since : Infinity
      const reading: Array<Promise<void>> = []
      for (const path of this.byHash.get(hash) ?? []) {
        if (path === self) continue
        const holding = this.holders.get(path)!
        if (holding.state === 'held' && holding.since < since) return path
        if (holding.state === 'reading') reading.push(holding.outcome)
      }
      if (reading.length === 0) return null
      await wait(Promise.race(reading))
    }
  }

  /** `self` claims `hash`: its copies wait for its outcome. */
  claim(self: string, hash: string): void {
    this.hold(self, hash, 'reading')
  }

  /** The outcome of reading `path`: it holds `hash` for sure (found unchanged, or indexed), or nothing (null). */
  settle(path: string, hash: string | null): void {
    const holding = this.holders.get(path)
    if (!holding || holding.state === 'held') return
    if (hash !== null && holding.hash === hash) this.hold(path, hash, 'held')
    else this.release(path)
  }

  /** `path` was written with content `hash` (it held it already when its reading settled). */
  wrote(path: string, hash: string): void {
    const holding = this.holders.get(path)
    if (holding?.hash !== hash || holding.state !== 'held') this.hold(path, hash, 'held')
  }

  /** `path` holds nothing (any longer). */
  release(path: string): void {
    const holding = this.holders.get(path)
    if (!holding) return
    this.holders.delete(path)
    const paths = this.byHash.get(holding.hash)!
    paths.delete(path)
    if (paths.size === 0) this.byHash.delete(holding.hash)
    holding.done()
  }

  /** Every change wakes the copies waiting on the file; they look again. */
  private hold(path: string, hash: string, state: HoldingState): void {
    this.release(path)
    let done = (): void => undefined
    const outcome = new Promise<void>((resolve) => (done = resolve))
    this.holders.set(path, { hash, state, outcome, done, since: this.held++ })
    const paths = this.byHash.get(hash) ?? new Set<string>()
    paths.add(path)
    this.byHash.set(hash, paths)
  }
}

type HoldingState = 'held' | 'queued' | 'reading'

interface Holding {
  hash: string
  state: HoldingState
  /** Resolves when the holding changes or ends. */
  outcome: Promise<void>
  done: () => void
  since: number
}
