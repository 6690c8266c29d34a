import { basename } from 'node:path'
import type { IngestEvent } from '../core/ingest/events'
import { formatBytes } from '../core/ingest/process'

/**
 * A one-line progress bar for a terminal, redrawn in place at most ten times a second. Failures
 * are printed above it as they happen, so they are not lost in the redraws.
 */
export class ProgressBar {
  private lastDraw = 0
  private drawn = false

  constructor(private readonly out: NodeJS.WriteStream) {}

  onEvent(event: IngestEvent): void {
    if (event.type === 'file' && event.outcome === 'failed') {
      this.clear()
      this.out.write(`failed  ${event.path}\n        ${event.reason}\n`)
    } else if (event.type === 'stage') {
      this.line(event.stage === 'indexing' ? 'Every file read; building the search index…' : 'Every document is searchable; building the vector index…')
    } else if (event.type === 'progress') {
      const now = Date.now()
      if (now - this.lastDraw < 100 && event.filesDone < event.filesTotal) return
      this.lastDraw = now
      this.draw(event)
    }
  }

  done(): void {
    this.clear()
  }

  private draw(event: Extract<IngestEvent, { type: 'progress' }>): void {
    const width = 24
    const ratio = event.bytesTotal > 0 ? event.bytesDone / event.bytesTotal : event.filesTotal > 0 ? event.filesDone / event.filesTotal : 1
    const filled = Math.min(width, Math.round(ratio * width))
    const first = event.current[0]
    const current = first ? `  ${basename(first.path)}${first.fraction > 0 ? ` ${Math.round(first.fraction * 100)}%` : ''}` : ''
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${event.filesDone}/${event.filesTotal} files  ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}  ${event.chunks} chunks${current}`
    this.line(line)
  }

  private line(text: string): void {
    const columns = this.out.columns || 100
    this.out.write(`\r${text.slice(0, columns - 1).padEnd(columns - 1)}`)
    this.drawn = true
  }

  private clear(): void {
    if (!this.drawn) return
    this.out.write(`\r${' '.repeat((this.out.columns || 100) - 1)}\r`)
    this.drawn = false
  }
}
