/**
 * Errors as values at the app boundary: every failure a request can meet becomes an ErrorValue
 * with a stable code and a message a person can act on. Anything unexpected is logged with its
 * stack and reported as 'internal' with a generic message, so no internals leak into the UI.
 */
import type { ErrorCode, ErrorValue } from '../../shared/contract'
import { LlmError } from '../llm/errors'
import { LibraryError } from '../store/library'

/** A failure the app service means to report, with the contract's code. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const INTERNAL_MESSAGE = 'Something went wrong inside DocuMind. Try again; if it keeps happening, restart DocuMind (the details are in its log).'

/** The error value for `error`; `context` names what was being done, for the log. */
export function toErrorValue(error: unknown, context: string): ErrorValue {
  if (error instanceof AppError) return { code: error.code, message: error.message }
  if (error instanceof LibraryError) return { code: error.code === 'embedder-mismatch' ? 'embedder-mismatch' : 'library-error', message: error.message }
  if (error instanceof LlmError) return { code: 'model-error', message: error.message }
  console.error(`documind: ${context} failed:`, error instanceof Error ? (error.stack ?? error.message) : error)
  return { code: 'internal', message: INTERNAL_MESSAGE }
}
