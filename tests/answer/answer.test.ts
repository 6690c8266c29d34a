import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { answerQuestion, type AnswerRequest } from '../../src/core/answer/answer'
import { createOllamaGateway } from '../../src/core/llm/ollama'
import type { Answer } from '../../src/core/types'
import { startFakeOllama, type FakeChatMessage, type FakeOllama } from '../support/fake-ollama'
import { homocysteine, sanskrit } from './fixtures'

let fake: FakeOllama
beforeEach(async () => {
  fake = await startFakeOllama()
})
afterEach(async () => {
  await fake.close()
})

function ask(overrides: Partial<AnswerRequest> = {}): Promise<Answer> {
  return answerQuestion({
    question: homocysteine.question,
    hits: homocysteine.hits(),
    noMatch: false,
    gateway: createOllamaGateway({ host: fake.url }),
    ...overrides
  })
}

const chatRequests = (): number => fake.requests.filter((r) => r.path === '/api/chat').length
const lastUserMessage = (messages: FakeChatMessage[]): string => messages[messages.length - 1].content

describe('answering from the model', () => {
  it('streams the answer and cites the sources its markers point to', async () => {
    fake.set({
      reply: (messages) =>
        lastUserMessage(messages).includes('Question: Does a deficiency of vitamin B12')
          ? 'Folic acid lowers serum homocysteine [1], by up to 25% [2]. B12 is not studied here [9].'
          : 'The question did not arrive.',
      tokenDelayMs: 2
    })
    const tokens: string[] = []
    const answer = await ask({ onToken: (t) => tokens.push(t) })
    expect(tokens.join('')).toBe('Folic acid lowers serum homocysteine [1], by up to 25% [2]. B12 is not studied here [9].')
    expect(tokens.length).toBeGreaterThan(10)
    expect(answer).toMatchObject({
      answer: 'Folic acid lowers serum homocysteine [1], by up to 25% [2]. B12 is not studied here.',
      mode: 'generative',
      model: 'llama3.2:latest',
      noMatch: false,
      droppedMarkers: [9]
    })
    expect(answer.notice).toBeUndefined()
    expect(answer.interrupted).toBeUndefined()
    expect(answer.citations.map((c) => [c.n, c.docId])).toEqual([
      [1, 'beir-scifact:11705328'],
      [2, 'beir-scifact:5152028']
    ])
  })

  it('uses the chosen model, and sends the earlier turns of the chat', async () => {
    fake.models.push({ name: 'qwen2.5:7b', family: 'qwen2', parameterSize: '7.6B', size: 4_683_087_332 })
    const answer = await ask({
      model: 'qwen2.5:7b',
      history: [
        { role: 'user', content: 'What lowers homocysteine?' },
        { role: 'assistant', content: 'Folic acid [1].' }
      ]
    })
    expect(answer.model).toBe('qwen2.5:7b')
    const body = fake.requests.find((r) => r.path === '/api/chat')?.body as { model: string; messages: FakeChatMessage[] }
    expect(body.model).toBe('qwen2.5:7b')
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(body.messages[2].content).toBe('Folic acid.')
  })

  it('passes HTML in the model answer through as text; rendering it safely is the UI job', async () => {
    fake.set({ reply: 'See <script>alert(1)</script> and <img src=x onerror=alert(2)> [1].' })
    const answer = await ask()
    expect(answer.answer).toBe('See <script>alert(1)</script> and <img src=x onerror=alert(2)> [1].')
  })
})

describe('when nothing relevant was found', () => {
  it('says so plainly and does not ask the model', async () => {
    const answer = await ask({ noMatch: true, hits: [] })
    expect(answer).toMatchObject({ noMatch: true, citations: [], mode: 'extractive' })
    expect(answer.answer).toMatch(/nothing relevant.*in your documents/i)
    expect(fake.requests).toHaveLength(0)
  })

  it('says so in Chinese when asked in Chinese', async () => {
    const answer = await ask({ question: sanskrit.question, noMatch: true, hits: sanskrit.hits() })
    expect(answer.answer).toContain('在您的文件中找不到與這個問題相關的內容')
    expect(answer.notice).toBe('在您的文件中找不到相關內容。')
    expect(chatRequests()).toBe(0)
  })
})

describe('when no model can answer', () => {
  it('quotes the most relevant passages within two seconds when Ollama is not running', async () => {
    await fake.stop()
    const started = Date.now()
    const answer = await ask()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toContain(`No Ollama server answered at ${fake.url}`)
    expect(answer.notice).toContain('most relevant passages')
    // The third hit, on biological gels, shares no word with the question and is not quoted.
    expect(answer.citations.map((c) => c.n)).toEqual([1, 2])
    expect(answer.answer).toMatch(/homocysteine.*\[1\]/is)
  })

  it('words the notice in Chinese for a Chinese question', async () => {
    await fake.stop()
    const answer = await ask({ question: sanskrit.question, hits: sanskrit.hits() })
    expect(answer.notice).toMatch(/^無法連線到語言模型/)
    expect(answer.notice).toContain('最相關的段落')
    expect(answer.answer).toContain(sanskrit.answer)
  })

  it('names a chosen model that is not installed and says how to get it, without asking another model', async () => {
    const answer = await ask({ model: 'qwen2.5:7b' })
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toContain('The model "qwen2.5:7b" is not installed')
    expect(answer.notice).toContain('ollama pull qwen2.5:7b')
    expect(chatRequests()).toBe(0)
  })

  it('says no chat model is installed when Ollama only has an embedding model', async () => {
    fake.models.splice(0, fake.models.length, { name: 'nomic-embed-text:latest', family: 'nomic-bert', parameterSize: '137M', size: 1, embedding: true })
    const answer = await ask()
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toContain('no model installed that can answer questions')
    expect(chatRequests()).toBe(0)
  })

  it("falls back to passages with Ollama's error when the model fails before answering", async () => {
    fake.set({ fault: { kind: 'http-error', status: 500, message: 'model requires more system memory (5.6 GiB) than is available (3.1 GiB)' } })
    const answer = await ask()
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toContain('model requires more system memory')
    expect(answer.citations.map((c) => c.n)).toEqual([1, 2])
  })

  it('falls back to passages when the model does not start answering in time', async () => {
    fake.set({ firstTokenDelayMs: 3000 })
    const answer = await ask({ firstTokenTimeoutMs: 200 })
    expect(answer.mode).toBe('extractive')
    expect(answer.notice).toContain('did not start answering within')
  })

  it('answers from the model again once Ollama is back', async () => {
    await fake.stop()
    expect((await ask()).mode).toBe('extractive')
    await fake.restart()
    expect((await ask()).mode).toBe('generative')
  })
})

describe('when generation does not finish', () => {
  it('keeps the partial text and its citations when the user stops it', async () => {
    fake.set({ reply: 'Folic acid lowers homocysteine [1]. It also improves endothelial function [2] in CAD.', tokenDelayMs: 30 })
    const controller = new AbortController()
    const tokens: string[] = []
    const answer = await ask({
      signal: controller.signal,
      onToken: (t) => {
        tokens.push(t)
        if (tokens.join('').includes('[1].')) controller.abort()
      }
    })
    expect(answer).toMatchObject({ interrupted: 'stopped', mode: 'generative', answer: 'Folic acid lowers homocysteine [1].' })
    expect(answer.citations.map((c) => c.n)).toEqual([1])
    expect(answer.notice).toBe('Stopped before the answer was finished.')
    await fake.settled()
    expect(fake.requests.find((r) => r.path === '/api/chat')?.clientClosed).toBe(true)
  })

  it('keeps the partial text with a notice when Ollama dies mid-answer', async () => {
    fake.set({ reply: 'Folic acid lowers homocysteine [1] by about a quarter [2] at low doses.', fault: { kind: 'die', afterTokens: 9 } })
    const answer = await ask()
    expect(answer.interrupted).toBe('failed')
    expect(answer.answer).toBe('Folic acid lowers homocysteine [1] by about a quarter')
    expect(answer.citations.map((c) => c.n)).toEqual([1])
    expect(answer.notice).toContain('broke off part-way')
    expect(answer.notice).toContain('Check that Ollama is still running')
  })

  it('drops a citation marker cut in half by the failure', async () => {
    fake.set({ reply: 'Folic acid lowers homocysteine [1, 2] a lot.', tokenSize: 1, fault: { kind: 'die', afterTokens: 35 } })
    const answer = await ask()
    expect(answer.answer).toBe('Folic acid lowers homocysteine')
    expect(answer.citations).toEqual([])
  })
})
