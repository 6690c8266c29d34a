/**
 * Load: 50 questions across 10 chat rooms over the web host's WebSocket, while an import of the
 * whole corpus-mini folder runs. Some rooms have two or three sessions (tabs), every room asks
 * as fast as it is allowed (one answer at a time: the next question goes the moment `done`
 * arrives), and the fake Ollama streams every answer a token at a time with a small delay so the
 * streams interleave. Every answer must arrive, whole, in its own room only, in order, under the
 * id `chat.ask` gave it; every session of a room must see the same stream; a session in no room
 * must see no room events; the chats on disk must hold every question and answer; and the import
 * must still complete.
 *
 * The app service, web host, LanceDB, ingest and query workers are all real and in this process;
 * the only fake is the Ollama server.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AppService } from '../../src/core/app'
import { startWebHost, type WebHost } from '../../src/server/web-host'
import { events as eventSchemas, type EventName, type MessageValue, type RoomEvent, type WireMessage } from '../../src/shared/contract'
import { buildLibrary, CORPUS, openService, removeDir, tempDir } from '../app/helpers'
import { WireClient } from '../server/helpers'
import { startFakeOllama, type FakeChatMessage, type FakeOllama } from '../support/fake-ollama'
import { roomStreamProblems, streamedText, type Asked } from './support/room-stream'

const ROOMS = 10
/** 5 questions a room in `npm test`; DOCUMIND_LOAD_SCALE=N asks 5×N (a longer run, by hand). */
const SCALE = Math.max(1, Math.floor(Number(process.env.DOCUMIND_LOAD_SCALE ?? 1)) || 1)
const QUESTIONS_PER_ROOM = 5 * SCALE
/** Sessions (tabs) in each room: three rooms with two, one with three, the rest with one. */
const SESSIONS_PER_ROOM = [2, 2, 3, 1, 2, 1, 1, 1, 1, 1]
const TOPICS = [
  'Why would I use Python instead of shell scripts?',
  'What are the ownership rules? 所有權規則是什麼？',
  'How do I write comments in Rust? 註解怎麼寫？',
  'What should I read after the Python tutorial?',
  'Is Python good for larger programs than shell scripts?'
]

/**
 * The question asked as question `q` of room `r`: a real topic, tagged so the reply can say whose
 * it is. The tag is one made-up word: words such as "room" or a number would be searched for too,
 * and once the import has brought in documents full of numbered footnotes, a question could
 * rightly find nothing relevant and get no model answer at all.
 */
function questionFor(r: number, q: number): string {
  return `${TOPICS[(r + q) % TOPICS.length]} (${tagFor(r, q)})`
}

function tagFor(r: number, q: number): string {
  return `r${r}q${q}`
}

/** The fake model's reply names the room and question it answers, so a crossed stream shows. */
function replyFor(tag: string): string {
  return `Answer for ${tag}: the sources say this [1], and also that [2].`
}

function tagOf(messages: FakeChatMessage[]): string {
  const last = messages[messages.length - 1]?.content ?? ''
  return /Question: .*\((r\d+q\d+)\)/.exec(last)?.[1] ?? 'no tag'
}

/** A tab on the web host: a WebSocket client of the contract, with the arrival time of every message. */
interface Tab {
  client: WireClient
  arrivals: number[]
  room: number | null
}

let fake: FakeOllama
let libraryDir: string
let rendererDir: string
let service: AppService
let host: WebHost
const tabs: Tab[] = []

beforeAll(async () => {
  fake = await startFakeOllama({ reply: (messages) => replyFor(tagOf(messages)), tokenDelayMs: 4 })
  libraryDir = await tempDir('documind-load-')
  rendererDir = await tempDir('documind-load-renderer-')
  // A few documents first, so that every question finds sources while the big import runs.
  await buildLibrary(libraryDir, fake.url)
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>DocuMind</title>')
  await mkdir(join(rendererDir, 'assets'))
  ;({ service } = await openService(libraryDir, fake.url))
  host = await startWebHost({ service, libraryDir, rendererDir, port: 0 })
})
afterAll(async () => {
  for (const tab of tabs) tab.client.close()
  await host?.close()
  await service?.close()
  await fake?.close()
  await Promise.all([libraryDir, rendererDir].map(removeDir))
})

async function openTab(room: number | null): Promise<Tab> {
  const origin = `http://127.0.0.1:${host.port}`
  const client = await WireClient.connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, origin)
  const tab: Tab = { client, arrivals: [], room }
  client.ws.on('message', () => tab.arrivals.push(Date.now()))
  tabs.push(tab)
  return tab
}

async function invoke<T>(tab: Tab, name: string, input: unknown): Promise<T> {
  const result = await tab.client.invoke(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

function eventsOf(tab: Tab): Array<Extract<WireMessage, { kind: 'event' }>> {
  return tab.client.messages.filter((m): m is Extract<WireMessage, { kind: 'event' }> => m.kind === 'event')
}

function roomEvents(tab: Tab): RoomEvent[] {
  return eventsOf(tab).flatMap((m) => (m.name === 'room.event' ? [m.payload as RoomEvent] : []))
}

/** True for the event that ends answer `answerId` (done or error). */
function endsAnswer(message: WireMessage, answerId: string): boolean {
  if (message.kind !== 'event' || message.name !== 'room.event') return false
  const event = message.payload as RoomEvent
  return (event.type === 'done' || event.type === 'error') && event.answerId === answerId
}

/** When the tab received the event that ended `answerId`. */
function endedAt(tab: Tab, answerId: string): number {
  return tab.arrivals[tab.client.messages.findIndex((m) => endsAnswer(m, answerId))]
}

it(`answers ${ROOMS * QUESTIONS_PER_ROOM} questions in ${ROOMS} rooms during an import: each in its own room, in order, none lost or crossed; the import completes`, async () => {
  const observer = await openTab(null)
  const rooms: Array<{ chatId: string; tabs: Tab[] }> = []
  for (let r = 0; r < ROOMS; r++) {
    const chat = await invoke<{ id: string }>(observer, 'chats.create', { title: `Room ${r}` })
    const members: Tab[] = []
    for (let s = 0; s < SESSIONS_PER_ROOM[r]; s++) {
      const tab = await openTab(r)
      await invoke(tab, 'chat.subscribe', { chatId: chat.id })
      members.push(tab)
    }
    rooms.push({ chatId: chat.id, tabs: members })
  }

  await invoke(observer, 'library.import', { paths: [CORPUS] })
  const importStates = (): Array<{ running: boolean; filesTotal: number; filesDone: number }> =>
    eventsOf(observer).flatMap((m) => (m.name === 'import.state' ? [m.payload as { running: boolean; filesTotal: number; filesDone: number }] : []))
  await observer.client.waitFor((m) => m.kind === 'event' && m.name === 'import.state' && (m.payload as { filesTotal: number }).filesTotal > 0)
  const startedAt = Date.now()

  // Each room asks its questions one after another, from its tabs in turn; all rooms at once.
  const asked: Asked[][] = await Promise.all(
    rooms.map(async ({ chatId, tabs: members }, r) => {
      const mine: Asked[] = []
      for (let q = 0; q < QUESTIONS_PER_ROOM; q++) {
        const asker = members[q % members.length]
        const question = questionFor(r, q)
        const { questionId, answerId } = await invoke<{ questionId: string; answerId: string }>(asker, 'chat.ask', { chatId, question })
        mine.push({ chatId, question, questionId, answerId })
        await asker.client.waitFor((m) => endsAnswer(m, answerId), 30_000)
      }
      return mine
    })
  )
  const answeredAt = Date.now()

  const finalState = (await observer.client.waitFor((m) => m.kind === 'event' && m.name === 'import.state' && !(m.payload as { running: boolean }).running && importStates().length > 1, 120_000)) as Extract<
    WireMessage,
    { kind: 'event' }
  >
  const importEndedAt = observer.arrivals[observer.client.messages.indexOf(finalState)]
  const state = eventSchemas['import.state'].parse(finalState.payload)
  expect(state).toMatchObject({ running: false, cancelled: false, error: null })
  expect(state.filesDone).toBe(state.filesTotal)
  expect(state.indexed).toBeGreaterThan(600)

  // Every event that reached any tab is one the contract allows.
  for (const tab of tabs) for (const m of eventsOf(tab)) eventSchemas[m.name as EventName].parse(m.payload)

  const allAnswers = asked.flat()
  expect(allAnswers).toHaveLength(ROOMS * QUESTIONS_PER_ROOM)
  expect(new Set(allAnswers.map((a) => a.answerId)).size).toBe(allAnswers.length)
  for (const [r, { chatId, tabs: members }] of rooms.entries()) {
    const stream = roomEvents(members[0])
    expect(roomStreamProblems(stream, chatId, asked[r]), `room ${r}`).toEqual([])
    // Every tab of the room saw exactly the same stream.
    for (const tab of members.slice(1)) expect(roomEvents(tab), `room ${r}, a second tab`).toEqual(stream)
    for (const [q, a] of asked[r].entries()) {
      const expected = replyFor(tagFor(r, q))
      expect(streamedText(stream, a.answerId), `room ${r} question ${q}`).toBe(expected)
      const end = stream.find((e) => e.type === 'done' && e.answerId === a.answerId)
      expect(end?.type === 'done' && end.message).toMatchObject({ status: 'complete', mode: 'generative', text: expected })
    }
    // And the chat on disk (well, in the store every window reads) holds all of it, in order.
    const saved = await invoke<MessageValue[]>(observer, 'chats.messages', { chatId })
    expect(saved.map((m) => `${m.role}:${m.status}:${m.text}`)).toEqual(
      asked[r].flatMap((a, q) => [`user:complete:${a.question}`, `assistant:complete:${replyFor(tagFor(r, q))}`])
    )
  }
  // Ollama was up throughout: no tab was ever told otherwise, however busy the app was.
  for (const tab of tabs) expect(eventsOf(tab).filter((m) => m.name === 'ollama.status' && !(m.payload as { reachable: boolean }).reachable)).toEqual([])
  // A tab in no room heard no room's events; every tab heard the import finish.
  expect(roomEvents(observer)).toEqual([])
  for (const tab of tabs) expect(eventsOf(tab).some((m) => m.name === 'import.state' && !(m.payload as { running: boolean }).running)).toBe(true)

  // The questions really were answered while the import ran.
  const duringImport = rooms.flatMap(({ tabs: members }, r) => asked[r].filter((a) => endedAt(members[0], a.answerId) < importEndedAt))
  console.info(
    `load: ${allAnswers.length} answers in ${((answeredAt - startedAt) / 1000).toFixed(1)} s, ${duringImport.length} of them before the import of ${state.filesTotal} files ended (${((importEndedAt - startedAt) / 1000).toFixed(1)} s)`
  )
  expect(duringImport.length).toBeGreaterThan(0)
}, 180_000 * SCALE)
