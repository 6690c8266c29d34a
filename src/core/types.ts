/**
 * The engine's vocabulary: what a parsed document, a chunk, a search hit and an answer look like.
 * Plain data only, so that every value here can cross a worker or process boundary unchanged.
 */

/** The formats DocuMind imports. Anything else is skipped, never failed. */
export type DocFormat = 'pdf' | 'docx' | 'epub' | 'html' | 'markdown' | 'text' | 'csv'

/**
 * A run of extracted text that shares one location: one PDF page, or the body under one heading.
 * `headings` is the heading path from the outermost heading to the innermost, e.g.
 * `['Chapter 3', 'Ownership', 'The Stack and the Heap']`; empty where the format has no headings.
 */
export interface Section {
  text: string
  headings: string[]
  /** 1-based page number (PDF only). */
  page?: number
}

/** What a parser gives back: NFKC-normalised text in reading order, split into sections. */
export interface ParsedDocument {
  format: DocFormat
  /** The document's own title where it declares one (PDF info, EPUB metadata, HTML <title>, first H1). */
  title?: string
  sections: Section[]
  /** Things a person may want to know but that did not stop the import, e.g. replaced invalid bytes. */
  warnings: string[]
  /** Number of pages (PDF only). */
  pageCount?: number
}

/** Why a file could not be imported. Stable codes; the message is for people. */
export type ParseFailureCode =
  | 'encrypted' // password-protected
  | 'corrupt' // damaged or truncated container (PDF, zip)
  | 'not-text' // binary data where text was expected
  | 'empty' // no bytes, or no extractable text
  | 'no-text-layer' // a scanned PDF: pages but no text
  | 'too-large' // over the size limit, or a decompression bomb
  | 'unreadable' // the file could not be read (permissions, vanished)
  | 'timeout' // parsing took longer than the per-file limit
  | 'crashed' // the worker parsing it died
  | 'unsupported'

/** A parse failure with a stable code and a message a person understands. */
export class ParseFailure extends Error {
  constructor(
    readonly code: ParseFailureCode,
    message: string
  ) {
    super(message)
    this.name = 'ParseFailure'
  }
}

/** One indexed passage of a document. Offsets are UTF-16 code-unit offsets into the document's text. */
export interface ChunkLocation {
  /** 1-based PDF page where the chunk starts; null for formats without pages. */
  page: number | null
  headings: string[]
  start: number
  end: number
}

export interface Chunk extends ChunkLocation {
  /** Position of the chunk in its document, from 0. */
  ord: number
  text: string
}

/** A search result: a chunk with where it came from and how well it matched. */
export interface Hit extends ChunkLocation {
  chunkId: string
  docId: string
  /** The document's display name (its title, else its file name). */
  document: string
  path: string
  text: string
  /** Fused relevance; higher is better. Comparable within one result list only. */
  score: number
}

/** A numbered source in an answer: `[n]` in the answer text refers to it. */
export interface Citation extends Hit {
  n: number
}

export type AnswerMode = 'generative' | 'extractive'

/** The final result of a question. */
export interface Answer {
  answer: string
  mode: AnswerMode
  /** Sources that the answer's `[n]` markers point to, in order of n. */
  citations: Citation[]
  /** Why the answer is extractive, or that nothing relevant was found; for the user to read. */
  notice?: string
  /** Markers in the model's text that pointed to no source; they were removed from `answer`. */
  droppedMarkers: number[]
  /** True when nothing relevant was found in the library. */
  noMatch: boolean
  /** The model that wrote the answer (generative mode). */
  model?: string
  /**
   * Set when generation did not finish: 'stopped' by the user, or 'failed' part-way (the model
   * server died, the stream broke). `answer` then holds what had arrived, and `notice` says why.
   */
  interrupted?: 'stopped' | 'failed'
}
