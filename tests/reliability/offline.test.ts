/**
 * The offline guarantee, checked at the process edge: `documind serve` as built imports the whole
 * corpus-mini folder and answers questions (over its WebSocket from here, and from its own page
 * in headless Chromium), and in all that time no connection is attempted anywhere but loopback
 * and the configured Ollama host. Three watchers, each at an edge:
 *
 * - connection-recorder.cjs, preloaded into the serve process and its worker threads: every
 *   net/tls/dgram connection and DNS lookup the JavaScript makes;
 * - strace on the whole process tree (where ptrace is allowed): every connect and send system
 *   call, so native code (LanceDB, the DNS resolver) cannot slip past;
 * - Playwright in Chromium: every request the page makes, and every one its CSP had to block.
 *
 * The model's reply carries an image and links to outside addresses, the kind of thing a model
 * can say; the page must not fetch them. A last test shows the watchers would see a leak.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RoomEvent, WireMessage } from '../../src/shared/contract'
import { CORPUS, removeDir, tempDir } from '../app/helpers'
import { WireClient } from '../server/helpers'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { allowedHostOf, offlineViolations, readConnectionLog, readSyscallLog, syscallViolations, type ConnectionRecord, type SyscallAttempt } from './support/connections'
import { startWatched, straceWorks } from './support/watched-process'

const REPO = resolve(import.meta.dirname, '../..')
const CLI = resolve(REPO, 'bin/documind.js')
const CHROMIUM = process.env.DOCUMIND_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']
const OUTSIDE = ['198.51.100.7', '198.51.100.8', 'www.python.org']
const REPLY = `Python is easier to read than shell scripts [1]. ![a chart](http://${OUTSIDE[0]}/chart.png) <img src="http://${OUTSIDE[1]}/pixel.gif"> More at [the Python site](https://${OUTSIDE[2]}/).`
const TRACE = straceWorks()
const BROWSER = existsSync(CHROMIUM)

interface Run {
  records: ConnectionRecord[]
  syscalls: SyscallAttempt[] | null
  pageRequests: string[]
  blockedByCsp: string[]
  origin: string
  documents: number
}

let fake: FakeOllama
let run: Run
const dirs: string[] = []

function endOf(message: WireMessage, answerId: string): boolean {
  if (message.kind !== 'event' || message.name !== 'room.event') return false
  const event = message.payload as RoomEvent
  return (event.type === 'done' || event.type === 'error') && event.answerId === answerId
}

async function invoke<T>(client: WireClient, name: string, input: unknown): Promise<T> {
  const result = await client.invoke(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

/** Opens the served page at a chat, asks there as a user would, and opens the library; records every request. */
async function useThePage(url: URL, chatId: string): Promise<{ requests: string[]; blocked: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  try {
    const page = await (await browser.newContext()).newPage()
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    page.on('websocket', (socket) => requests.push(socket.url()))
    // Requests the CSP stopped never reach the network, so the page reports them itself.
    await page.addInitScript(() => {
      const blocked: string[] = []
      Object.assign(window, { __blocked: blocked })
      document.addEventListener('securitypolicyviolation', (event) => blocked.push(event.blockedURI || event.violatedDirective))
    })
    await page.goto(`${url.href}#/chat/${chatId}`)
    const answers = page.locator('article.message-assistant')
    await answers.first().waitFor({ timeout: 30_000 })
    const box = page.getByRole('textbox', { name: /Your question/ })
    await box.fill('And what does it say about larger programs?')
    await box.press('Enter')
    const second = page.locator('article.message-assistant[data-message-status="complete"]').nth(1)
    await second.waitFor({ timeout: 30_000 })
    // The outside image is in the rendered answer, shown as its description.
    await second.getByText('[a chart]').waitFor()
    await page.evaluate(() => (window.location.hash = '#/library'))
    await page.locator('[data-testid="document-row"]').first().waitFor({ timeout: 30_000 })
    const blocked = await page.evaluate(() => (window as unknown as { __blocked: string[] }).__blocked)
    return { requests, blocked }
  } finally {
    await browser.close()
  }
}

beforeAll(async () => {
  if (!existsSync(resolve(REPO, 'out/main/cli.js'))) throw new Error('The app is not built: run `npx electron-vite build` (npm test does) before this test.')
  fake = await startFakeOllama({ reply: REPLY, tokenDelayMs: 2 })
  const libraryDir = await tempDir('documind-offline-')
  const logDir = await tempDir('documind-offline-logs-')
  dirs.push(libraryDir, logDir)
  const app = startWatched([CLI, 'serve', '--port', '0', '--db', libraryDir, '--ollama', fake.url], { logDir, trace: TRACE, cwd: REPO, env: { OLLAMA_HOST: fake.url } })
  let client: WireClient | undefined
  try {
    const url = new URL(await app.firstLine())
    const origin = `http://127.0.0.1:${url.port}`
    client = await WireClient.connect(`ws://127.0.0.1:${url.port}/ws${url.search}`, origin)

    await invoke(client, 'library.import', { paths: [CORPUS] })
    const end = await client.waitFor((m) => m.kind === 'event' && m.name === 'import.state' && !(m.payload as { running: boolean }).running, 120_000)
    expect(end).toMatchObject({ payload: { running: false, error: null, cancelled: false } })

    const chat = await invoke<{ id: string }>(client, 'chats.create', {})
    await invoke(client, 'chat.subscribe', { chatId: chat.id })
    const { answerId } = await invoke<{ answerId: string }>(client, 'chat.ask', { chatId: chat.id, question: 'Why would I use Python instead of shell scripts?' })
    const done = await client.waitFor((m) => endOf(m, answerId), 30_000)
    expect(done).toMatchObject({ payload: { type: 'done', message: { mode: 'generative', status: 'complete' } } })

    const page = BROWSER ? await useThePage(url, chat.id) : { requests: [], blocked: [] }
    const documents = (await invoke<unknown[]>(client, 'library.list', {})).length
    client.close()
    await app.stop()
    run = {
      records: readConnectionLog(app.connectionLog),
      syscalls: app.syscallLog ? readSyscallLog(app.syscallLog) : null,
      pageRequests: page.requests,
      blockedByCsp: page.blocked,
      origin,
      documents
    }
  } catch (error) {
    client?.close()
    await app.stop()
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- documind serve said:\n${app.output().slice(-4000)}`)
  }
}, 180_000)

afterAll(async () => {
  await fake?.close()
  await Promise.all(dirs.map(removeDir))
})

describe('the offline guarantee', () => {
  it('the JavaScript of documind serve, in every thread, connected to nothing but the Ollama host while importing and answering', () => {
    const ollama = allowedHostOf(fake.url)
    expect(run.documents).toBeGreaterThan(600)
    expect(offlineViolations(run.records, ollama)).toEqual([])
    // Stricter than the promise: the only place it connected to at all, even on loopback, was Ollama.
    const destinations = new Set(run.records.flatMap((r) => (r.kind === 'connect' ? [r.path ?? `${r.host}:${r.port}`] : [])))
    expect([...destinations]).toEqual([`${ollama.hostname}:${ollama.port}`])
    expect(run.records.filter((r) => r.kind === 'spawn' || r.kind === 'udp')).toEqual([])
    // The recorder was live where the work happened: the status polls on the main thread, the
    // answer in a query worker, and the import's worker threads all loaded it.
    const toOllama = run.records.filter((r) => r.kind === 'connect' && r.port === ollama.port)
    expect(toOllama.some((r) => r.thread === 0)).toBe(true)
    expect(toOllama.some((r) => r.thread !== 0)).toBe(true)
    const threads = new Set(run.records.filter((r) => r.kind === 'start').map((r) => r.thread)).size
    expect(threads).toBeGreaterThan(2)
    console.info(
      `offline: ${run.documents} documents, ${toOllama.length} connections (all to ${fake.url}) from ${threads} threads; ` +
        `${run.syscalls?.length ?? 'no'} traced connect/send system calls with an address; ${run.pageRequests.length} page requests`
    )
  })

  it.skipIf(!TRACE)('no system call of the process tree (native code included) connected or sent anywhere but loopback and the Ollama host', () => {
    const syscalls = run.syscalls ?? []
    expect(syscallViolations(syscalls, allowedHostOf(fake.url))).toEqual([])
    // The trace saw the connections it should have: it was watching.
    expect(syscalls.some((a) => a.call === 'connect' && a.port === allowedHostOf(fake.url).port)).toBe(true)
  })

  it.skipIf(!BROWSER)('the page in Chromium requested nothing but its own host, and fetched none of the outside addresses in the answer', () => {
    expect(run.pageRequests.length).toBeGreaterThan(2)
    const foreign = run.pageRequests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).host !== new URL(run.origin).host)
    expect(foreign).toEqual([])
    expect(run.blockedByCsp).toEqual([])
    expect(run.pageRequests.some((url) => url.startsWith(`ws://${new URL(run.origin).host}/ws`))).toBe(true)
  })
})

describe('the watchers', () => {
  it('would see a leak: connections, a fetch, UDP and a DNS lookup to outside addresses, from the main thread and a worker', async () => {
    const logDir = await tempDir('documind-leak-')
    dirs.push(logDir)
    const leaky = [
      "const net = require('node:net'); const dgram = require('node:dgram'); const dns = require('node:dns'); const { Worker } = require('node:worker_threads')",
      "net.connect({ host: '10.255.255.1', port: 80 }).on('error', () => {})",
      "const udp = dgram.createSocket('udp4'); udp.send(Buffer.from('x'), 53, '10.255.255.1', () => udp.close())",
      "dns.lookup('leak.example.com', () => {})",
      "fetch('http://10.255.255.2/').catch(() => {})",
      "new Worker(\"require('node:net').connect(443, '10.255.255.3').on('error', () => {})\", { eval: true })",
      'setTimeout(() => process.exit(0), 1000)'
    ].join('\n')
    const child = startWatched(['-e', leaky], { logDir, trace: TRACE })
    await child.exited
    const ollama = allowedHostOf(fake.url)
    const seen = offlineViolations(readConnectionLog(child.connectionLog), ollama).join('\n')
    expect(seen).toMatch(/TCP connect to 10\.255\.255\.1:80 \(pid \d+ thread 0\)/)
    expect(seen).toMatch(/TCP connect to 10\.255\.255\.2:80/)
    expect(seen).toMatch(/TCP connect to 10\.255\.255\.3:443 \(pid \d+ thread [1-9]/)
    expect(seen).toContain('UDP to 10.255.255.1:53')
    expect(seen).toContain('DNS lookup of leak.example.com')
    if (child.syscallLog) {
      const traced = syscallViolations(readSyscallLog(child.syscallLog), ollama).join('\n')
      for (const address of ['10.255.255.1:80', '10.255.255.2:80', '10.255.255.3:443', '10.255.255.1:53']) expect(traced).toContain(address)
    }
  })
})
