/**
 * Every way talking to the model server can fail, as one error type with a stable code and a
 * message a person can act on. Callers branch on `code`; people read `message`.
 */

export type LlmErrorCode =
  | 'unreachable' // nothing answered at the host (refused, DNS, timed out connecting)
  | 'model-not-found' // the model is not installed (or, when pulling, not in the library)
  | 'server-error' // Ollama answered with an error (HTTP 5xx, or an error line mid-stream)
  | 'bad-stream' // the response could not be read (malformed, truncated, wrong shape)
  | 'first-token-timeout' // the model did not start answering in time
  | 'interrupted' // the connection dropped part-way
  | 'aborted' // the caller stopped it

/** An LlmError as plain data, for crossing a worker or IPC boundary (Error subclasses lose fields). */
export interface LlmErrorValue {
  code: LlmErrorCode
  message: string
  host: string
  model?: string
  partial: string
}

/** A failure talking to the model server. */
export class LlmError extends Error {
  readonly code: LlmErrorCode
  readonly host: string
  readonly model?: string
  /** The answer text that had streamed before the failure; '' when none. */
  readonly partial: string
  /** True when some tokens arrived before the failure, so a caller can keep a partial answer. */
  readonly tokensArrived: boolean

  constructor(code: LlmErrorCode, message: string, context: { host: string; model?: string; partial?: string; cause?: unknown }) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause })
    this.name = 'LlmError'
    this.code = code
    this.host = context.host
    this.model = context.model
    this.partial = context.partial ?? ''
    this.tokensArrived = this.partial.length > 0
  }

  toValue(): LlmErrorValue {
    return { code: this.code, message: this.message, host: this.host, model: this.model, partial: this.partial }
  }
}

/** The messages people see, one place so that every host words a failure the same way. */
export const llmMessages = {
  unreachable: (host: string) => `No Ollama server answered at ${host}; start Ollama, or check the host in Settings.`,
  noAnswer: (host: string, ms: number) =>
    `Ollama at ${host} did not answer within ${Math.round(ms / 1000)} s: it may be busy or stuck, or the host may be wrong. Restart Ollama, or check the host in Settings.`,
  notOllama: (host: string) =>
    `Something answered at ${host}, but it is not an Ollama server; check the host in Settings.`,
  modelNotInstalled: (model: string) =>
    `The model "${model}" is not installed in Ollama. Pull it (ollama pull ${model}) or choose another model.`,
  modelNotInLibrary: (model: string) =>
    `Ollama could not find "${model}" in its library. Check the spelling of the name, e.g. llama3.2 or qwen2.5:7b.`,
  serverError: (host: string, detail: string) =>
    `Ollama at ${host} reported an error: ${sentence(detail)} Try again; if it keeps happening, restart Ollama (its log says more).`,
  badStream: (host: string, detail: string) =>
    `Ollama at ${host} sent a response DocuMind could not read (${detail}). Try again; if it keeps happening, update Ollama.`,
  firstTokenTimeout: (model: string, ms: number) =>
    `The model "${model}" did not start answering within ${Math.round(ms / 1000)} s. It may still be loading or be too large for this computer; try again, or choose a smaller model.`,
  interrupted: (host: string) =>
    `The connection to Ollama at ${host} dropped before the answer was finished. Check that Ollama is still running.`,
  aborted: () => 'Stopped.'
}

/** Ollama's own error text as a sentence, so the advice after it does not run on from it. */
function sentence(detail: string): string {
  const trimmed = detail.trim()
  return /[.!?。]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
