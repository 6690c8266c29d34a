import type { ParseFailureCode } from '../types'

/** What became of one file. */
export type FileOutcome = 'indexed' | 'unchanged' | 'skipped' | 'failed'

/**
 * Where an import is once its files are read: bringing the search indexes up to date, then every
 * document searchable while the vector index may still be built (see `LibraryWriter.makeSearchable`).
 */
export type IngestStage = 'indexing' | 'searchable'

/**
 * Events of an import, in order: files are found, then each file ends, with progress between;
 * then the stages, each once.
 */
export type IngestEvent =
  | { type: 'stage'; stage: IngestStage }
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
  /** From the start until the writer closed, the vector index built. */
  seconds: number
  /** From the start until every document written was searchable (before the vector index). */
  searchableSeconds: number
  /** Of `seconds`, the time the writer spent at the end bringing the search indexes up to date. */
  indexSeconds: number
  cancelled: boolean
  failures: IngestFailure[]
  skippedFiles: Array<{ path: string; reason: string }>
  warnings: Array<{ path: string; warnings: string[] }>
}
