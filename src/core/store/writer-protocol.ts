import { LibraryError, type LibraryErrorCode } from './library'

/** The outcome of one writer task, as a value: errors keep their code across the thread boundary. */
export type WriterResult = { ok: true } | { ok: false; code: LibraryErrorCode | 'internal'; message: string }

export async function toWriterResult(work: () => Promise<void>): Promise<WriterResult> {
  try {
    await work()
    return { ok: true }
  } catch (error) {
    if (error instanceof LibraryError) return { ok: false, code: error.code, message: error.message }
    return { ok: false, code: 'internal', message: error instanceof Error ? error.message : String(error) }
  }
}

/** Turns a writer result back into a thrown error on the calling side. */
export function unwrapWriterResult(result: WriterResult): void {
  if (result.ok) return
  if (result.code === 'internal') throw new Error(`The library could not be written: ${result.message}`)
  throw new LibraryError(result.code, result.message)
}
