/**
 * `documind serve` as built (npm test builds first; alone: `npx electron-vite build`): its first
 * line is the address to open, it serves the page and the socket, stops cleanly on SIGTERM, and a
 * kill -9 in the middle of an answer leaves the question and the partial answer on disk.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { buildLibrary, call, openService, removeDir, tempDir } from '../app/helpers'
import { rawRequest, WireClient } from './helpers'

const CLI = resolve('bin/documind.js')
const BUILT = resolve('out/main/cli.js')
const REPLY = 'Python is easier to read and to grow than shell scripts [1] '.repeat(40)

let fake: FakeOllama
const dirs: string[] = []

beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error('The app is not built: run `npx electron-vite build` (npm test does) before these tests.')
  fake = await startFakeOllama({ reply: REPLY, tokenDelayMs: 25 })
})
afterAll(async () => {
  await fake.close()
  await Promise.all(dirs.map(removeDir))
})

/** Starts `documind serve` and resolves with the first line it prints. */
async function serve(libraryDir: string): Promise<{ child: ChildProcessWithoutNullStreams; url: URL; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', libraryDir], { env: { ...process.env, OLLAMA_HOST: fake.url } })
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise<string>((done, fail) => {
    lines.once('line', done)
    void exited.then((code) => fail(new Error(`serve exited (${code}) before printing: ${stderr}`)))
  })
  expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{40,}$/)
  return { child, url: new URL(first), exited }
}

describe('documind serve', () => {
  it('prints the address first, serves the page and the contract there, and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir('documind-serve-')
    dirs.push(dir)
    const { child, url, exited } = await serve(dir)
    try {
      const port = Number(url.port)
      const page = await rawRequest(port, `${url.pathname}${url.search}`)
      expect(page.status).toBe(200)
      expect(page.body).toMatch(/<html/i)
      expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${port}`)
      const client = await WireClient.connect(`ws://127.0.0.1:${port}/ws${url.search}`, `http://127.0.0.1:${port}`)
      expect(await client.invoke('settings.get', {})).toMatchObject({ ok: true, value: { ollamaHost: fake.url } })
      client.close()
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })

  it('leaves the question and the partial answer after kill -9 mid-answer, and the next start marks the answer interrupted', async () => {
    const dir = await tempDir('documind-serve-')
    dirs.push(dir)
    await buildLibrary(dir, fake.url)
    const { child, url, exited } = await serve(dir)
    const port = Number(url.port)
    const client = await WireClient.connect(`ws://127.0.0.1:${port}/ws${url.search}`, `http://127.0.0.1:${port}`)
    const chat = (await client.invoke('chats.create', {})) as { ok: true; value: { id: string } }
    const chatId = chat.value.id
    await client.invoke('chat.subscribe', { chatId })
    await client.invoke('chat.ask', { chatId, question: 'Why use Python instead of shell scripts?' })
    // Long enough for the streamed text to have been saved at least once.
    await client.waitFor(() => client.messages.filter((m) => m.kind === 'event' && m.name === 'room.event').length > 40)
    child.kill('SIGKILL')
    await exited
    client.close()

    const { service, session } = await openService(dir, fake.url)
    try {
      const messages = await call(service, session, 'chats.messages', { chatId })
      expect(messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'interrupted']
      ])
      expect(messages[0].text).toBe('Why use Python instead of shell scripts?')
      expect(messages[1].text.length).toBeGreaterThan(20)
      expect(REPLY.startsWith(messages[1].text)).toBe(true)
    } finally {
      await service.close()
    }
  })
})
