/**
 * The check the load test relies on, shown to fail when it should: a stream with an event of
 * another room, two answers interleaved, a step out of order, or an answer with no end.
 */
import { describe, expect, it } from 'vitest'
import type { MessageValue, RoomEvent } from '../../src/shared/contract'
import { roomStreamProblems, type Asked } from './support/room-stream'

const ROOM = 'room-a'
const asked: Asked[] = [
  { chatId: ROOM, question: 'first?', questionId: 'q1', answerId: 'a1' },
  { chatId: ROOM, question: 'second?', questionId: 'q2', answerId: 'a2' }
]

function message(id: string, role: 'user' | 'assistant', text: string): MessageValue {
  return { id, chatId: ROOM, role, text, createdAt: 0, status: 'complete', citations: [] }
}

/** A well-formed stream of one answer. */
function answer(a: Asked, tokens = ['one', ' two']): RoomEvent[] {
  return [
    { type: 'question', chatId: ROOM, message: message(a.questionId, 'user', a.question) },
    { type: 'loading', chatId: ROOM, answerId: a.answerId, stage: 'searching' },
    { type: 'sources', chatId: ROOM, answerId: a.answerId, hits: [] },
    { type: 'loading', chatId: ROOM, answerId: a.answerId, stage: 'thinking' },
    ...tokens.map((text): RoomEvent => ({ type: 'token', chatId: ROOM, answerId: a.answerId, text })),
    { type: 'done', chatId: ROOM, answerId: a.answerId, message: message(a.answerId, 'assistant', tokens.join('')) }
  ]
}

describe('the room stream check', () => {
  it('accepts answers in order, one after the other', () => {
    expect(roomStreamProblems([...answer(asked[0]), ...answer(asked[1])], ROOM, asked)).toEqual([])
  })

  it("catches another room's event", () => {
    const stream = [...answer(asked[0]), ...answer(asked[1])]
    stream.splice(5, 0, { type: 'token', chatId: 'room-b', answerId: 'b1', text: 'stray' })
    expect(roomStreamProblems(stream, ROOM, asked)).toEqual([expect.stringContaining('belongs to room room-b')])
  })

  it('catches two answers interleaved, a step out of order, a missing end, and an answer without tokens', () => {
    const interleaved = [...answer(asked[0])]
    interleaved.splice(5, 0, answer(asked[1])[4])
    expect(roomStreamProblems([...interleaved, ...answer(asked[1])], ROOM, asked).join('\n')).toContain('carries answer a2, expected a1')

    const swapped = answer(asked[0])
    ;[swapped[1], swapped[2]] = [swapped[2], swapped[1]]
    expect(roomStreamProblems([...swapped, ...answer(asked[1])], ROOM, asked).length).toBeGreaterThan(0)

    expect(roomStreamProblems(answer(asked[0]), ROOM, asked)).toEqual(['2 answers were asked for, 1 ended with done'])
    expect(roomStreamProblems([...answer(asked[0], []), ...answer(asked[1])], ROOM, asked).join('\n')).toContain('expected token')
  })
})
