/**
 * The answer flow: from search hits to a cited answer. Whatever goes wrong with the model, the
 * user gets something true from their documents: a streamed answer, the part that arrived before
 * a failure, or the best passages quoted (extractive) with a notice saying why.
 */
import { LlmError } from '../llm/errors'
import { findModel, pickChatModel, type ChatMessage, type GatewayStatus, type ModelGateway } from '../llm/gateway'
import type { Answer, Hit } from '../types'
import { citationsFor, trimUnfinishedMarker } from './citations'
import { extractiveAnswer } from './extractive'
import { questionLanguage, type AnswerLanguage } from './language'
import { notices } from './notices'
import { buildMessages, promptSources, type PromptOptions } from './prompt'

export interface AnswerRequest {
  question: string
  /** Search hits, best first; source n in the answer is `hits[n - 1]`. */
  hits: Hit[]
  /** Retrieval found nothing relevant: answer so, without calling the model. */
  noMatch: boolean
  /** The model server; null when none is configured (the answer is then extractive). */
  gateway: ModelGateway | null
  /**
   * The chat model the user chose. If it is not installed the answer is extractive with a notice
   * naming it (no silent switch to another model); when omitted, the first installed chat model.
   */
  model?: string
  signal?: AbortSignal
  /** Each streamed token, as it arrives (the final `answer` is the cleaned-up text). */
  onToken?: (token: string) => void
  /** Earlier turns of this chat, oldest first. */
  history?: ChatMessage[]
  /** See ChatRequest.firstTokenTimeoutMs. */
  firstTokenTimeoutMs?: number
  /**
   * The gateway's status, when the caller already asked for it (alongside retrieval, so that the
   * round trip to Ollama does not delay the first token); otherwise it is asked here.
   */
  status?: Promise<GatewayStatus>
  prompt?: PromptOptions
}

/** Answers one question from its hits. Never rejects because of the model; only a caller's bug throws. */
export async function answerQuestion(request: AnswerRequest): Promise<Answer> {
  const { question, hits, gateway, signal } = request
  const lang = questionLanguage(question)
  if (request.noMatch || hits.length === 0) return noMatchAnswer(lang)
  if (signal?.aborted) return stoppedBeforeStart(lang)
  if (!gateway) return extractive(question, hits, notices.noChatModel(lang))

  const status = await (request.status ?? gateway.status(signal))
  if (status.error?.code === 'aborted') return stoppedBeforeStart(lang)
  if (status.error) {
    const why = status.reachable ? notices.modelFailed : notices.unreachable
    return extractive(question, hits, why(lang, status.error.message))
  }
  let model: string | null
  if (request.model) {
    const chosen = findModel(status.models, request.model)
    if (!chosen) return extractive(question, hits, notices.modelMissing(lang, request.model))
    // Ollama would refuse it with a bare "does not support chat"; say what to choose instead.
    if (chosen.isEmbedding) return extractive(question, hits, notices.modelCannotChat(lang, chosen.name))
    model = chosen.name
  } else {
    model = pickChatModel(status.models)
    if (!model) return extractive(question, hits, notices.noChatModel(lang))
  }

  const sources = promptSources(hits, request.prompt?.sourceBudget).map((s) => s.hit)
  const messages = buildMessages(question, hits, request.history, request.prompt)
  try {
    const text = await gateway.chat({ model, messages, signal, onToken: request.onToken, firstTokenTimeoutMs: request.firstTokenTimeoutMs })
    if (text.trim() === '') return extractive(question, hits, notices.emptyAnswer(lang, model))
    return { ...citationsFor(text, sources), mode: 'generative', noMatch: false, model }
  } catch (err) {
    if (!(err instanceof LlmError)) throw err
    return afterFailure(err, { question, hits, sources, model, lang })
  }
}

function afterFailure(err: LlmError, ctx: { question: string; hits: Hit[]; sources: Hit[]; model: string; lang: AnswerLanguage }): Answer {
  const { question, hits, sources, model, lang } = ctx
  if (err.code === 'aborted') {
    return { ...citationsFor(trimUnfinishedMarker(err.partial), sources), mode: 'generative', noMatch: false, model, notice: notices.stopped(lang), interrupted: 'stopped' }
  }
  if (err.tokensArrived) {
    // Keep what the user has already been reading, rather than swapping it for quoted passages.
    return {
      ...citationsFor(trimUnfinishedMarker(err.partial), sources),
      mode: 'generative',
      noMatch: false,
      model,
      notice: notices.failedMidway(lang, err.message),
      interrupted: 'failed'
    }
  }
  if (err.code === 'model-not-found') return extractive(question, hits, notices.modelMissing(lang, model))
  if (err.code === 'unreachable') return extractive(question, hits, notices.unreachable(lang, err.message))
  return extractive(question, hits, notices.modelFailed(lang, err.message))
}

function extractive(question: string, hits: Hit[], notice: string): Answer {
  return { ...extractiveAnswer(question, hits), mode: 'extractive', notice, droppedMarkers: [], noMatch: false }
}

function noMatchAnswer(lang: AnswerLanguage): Answer {
  return { answer: notices.noMatchAnswer(lang), mode: 'extractive', citations: [], droppedMarkers: [], noMatch: true, notice: notices.noMatch(lang) }
}

function stoppedBeforeStart(lang: AnswerLanguage): Answer {
  return { answer: '', mode: 'generative', citations: [], droppedMarkers: [], noMatch: false, notice: notices.stopped(lang), interrupted: 'stopped' }
}
