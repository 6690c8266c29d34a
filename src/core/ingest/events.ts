import type { ParseFailureCode } from '../types'

/** What became of one file. */
export type FileOutcome = 'indexed' | 'unchanged' | 'skipped' | 'failed'

/** Events of an import, in order: files are found, then each file ends, with progress between. */
export type IngestEvent =
  | { type: 'queued'; filesTotal: number; bytesTotal: number }
  | {
      type: 'file'
      path: string
      outcome: FileOutcome
      /** Why it was skipped or failed. */
      reason?: string
      code?: ParseFailureCode
      chunks?: number
      warnings?: string[]
    }
  | {
      type: 'progress'
      filesDone: number
      filesTotal: number
      bytesDone: number
      bytesTotal: number
      chunks: number
      /** Files being read right now, each with how far it is (0 to 1). */
      current: Array<{ path: string; fraction: number }>
    }

export interface IngestFailure {
  path: string
  code: ParseFailureCode
  reason: string
}

/** The result of an import run. */
export interface IngestSummary {
  files: number
  indexed: number
  unchanged: number
  skipped: number
  failed: number
  chunks: number
  bytes: number
  seconds: number
  /** Of `seconds`, the time the writer spent at the end bringing the search indexes up to date. */
  indexSeconds: number
  cancelled: boolean
  failures: IngestFailure[]
  skippedFiles: Array<{ path: string; reason: string }>
  warnings: Array<{ path: string; warnings: string[] }>
}
