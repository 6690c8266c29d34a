/**
 * What a session should see of one answer in its room, checked event by event: the question, then
 * `loading:searching`, `sources`, `loading:thinking`, tokens, and one `done` or `error`, all under
 * the answer id `chat.ask` returned. Shared by the fault and load tests, which check the same
 * order under different pressure.
 */
import type { RoomEvent } from '../../../src/shared/contract'

/** One question a test asked, as `chat.ask` acknowledged it. */
export interface Asked {
  chatId: string
  question: string
  questionId: string
  answerId: string
}

/** The answer's events as short names, a run of tokens shown once as `token…`. */
export function answerShape(events: RoomEvent[], answerId: string): string[] {
  const shape: string[] = []
  for (const event of events) {
    if (!('answerId' in event) || event.answerId !== answerId) continue
    const name = event.type === 'loading' ? `loading:${event.stage}` : event.type === 'token' ? 'token…' : event.type
    if (shape.at(-1) !== name || name !== 'token…') shape.push(name)
  }
  return shape
}

/** The text the room was streamed for one answer. */
export function streamedText(events: RoomEvent[], answerId: string): string {
  return events.flatMap((e) => (e.type === 'token' && e.answerId === answerId ? [e.text] : [])).join('')
}

/**
 * Checks a room's whole stream against the questions asked in it, in order: every event belongs
 * to this room and to the answer in progress, each answer runs question → loading:searching →
 * sources → loading:thinking → token… → done, and nothing is missing or left over. Returns the
 * problems found (empty when the stream is right), so a failure says where it went wrong.
 */
export function roomStreamProblems(events: RoomEvent[], chatId: string, asked: Asked[]): string[] {
  const problems: string[] = []
  const expected = ['question', 'loading:searching', 'sources', 'loading:thinking', 'token', 'done'] as const
  let turn = 0
  let step = 0
  for (const [i, event] of events.entries()) {
    const at = `event ${i} (${event.type})`
    if (event.chatId !== chatId) {
      problems.push(`${at} belongs to room ${event.chatId}, not ${chatId}`)
      continue
    }
    const current = asked[turn]
    if (!current) {
      problems.push(`${at} arrived after the last answer had ended`)
      continue
    }
    const name = event.type === 'loading' ? `loading:${event.stage}` : event.type
    if (event.type === 'question') {
      if (event.message.id !== current.questionId || event.message.text !== current.question) problems.push(`${at} is not question ${turn} ("${current.question}")`)
    } else if (event.answerId !== current.answerId) {
      problems.push(`${at} carries answer ${event.answerId}, expected ${current.answerId}`)
    }
    // Tokens repeat; every other step happens once, in order.
    if (name === 'token' && (expected[step] === 'token' || expected[step - 1] === 'token')) {
      step = expected.indexOf('token') + 1
      continue
    }
    if (expected[step] !== name) {
      const why = event.type === 'done' || event.type === 'error' ? ` (${describeEnd(event)})` : ''
      problems.push(`${at}: expected ${expected[step]} in answer ${turn}${why}`)
      // An answer that ended early is over: the next events belong to the next question.
      if (event.type === 'done' || event.type === 'error') {
        turn++
        step = 0
      }
      continue
    }
    step++
    if (name === 'done') {
      turn++
      step = 0
    }
  }
  if (turn !== asked.length) problems.push(`${asked.length} answers were asked for, ${turn} ended with done`)
  return problems
}

function describeEnd(event: Extract<RoomEvent, { type: 'done' | 'error' }>): string {
  const message = event.message
  return [event.type, message?.status, message?.mode, message?.noMatch ? 'no match' : '', message?.notice ?? (event.type === 'error' ? event.error.message : '')].filter(Boolean).join(', ')
}
