/**
 * Answer latency through the real hosts, with the model server's own delay taken out:
 *
 * - Time to first token: `documind serve` (the web host, its app service and query workers) on a
 *   library; a WebSocket client asks in a chat room, and the time runs from sending the question
 *   to receiving its first `token` event, minus the fake server's first-token delay. The first
 *   question is asked at once after launch and reported on its own; so is a first question asked
 *   on a second launch after a pause, as a user typing it would.
 * - Cold start: `documind ask` launched on the library; the time runs from starting the process to
 *   the first token on its standard output (Node start-up, loading, opening the library, embedding
 *   the question, both searches, the prompt, the request), minus the same delay.
 */
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { percentile } from './lib/stats'

const CLI = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))

/** Questions a user of this corpus might ask (Python, PostgreSQL, Debian, R, gnuplot, LibreOffice). */
export const QUESTIONS = [
  'How do I create a virtual environment in Python?', 'What does VACUUM do in PostgreSQL?', 'How do I attach a data frame in R?',
  'How do I set the output terminal in gnuplot?', 'How do I install a package with apt?', 'What is a list comprehension?',
  'How do I create an index on a table?', 'What is the difference between a list and a tuple?', 'How do I plot a histogram in R?',
  'How do I configure the network interfaces on Debian?', 'What is a transaction isolation level?', 'How do I read a CSV file in Python?',
  'How do I insert a table in LibreOffice Writer?', 'What is a generator function?', 'How does the query planner choose a join?',
  'How do I write a function in R?', 'How do I label the axes of a plot in gnuplot?', 'What is the Global Interpreter Lock?',
  'How do I back up a database with pg_dump?', 'How do I upgrade Debian to a new release?', 'What is a decorator in Python?',
  'How do I use regular expressions in Python?', 'What are window functions in SQL?', 'How do I fit a linear model in R?',
  'How do I change the page style in LibreOffice?', 'How do I handle exceptions in Python?', 'What is a foreign key constraint?',
  'How do I set environment variables for a systemd service?', 'What does the with statement do?', 'How do I create a user role in PostgreSQL?'
]

/** How long after launch the second launch's first question is asked: a user typing it. */
export const TYPING_MS = 3000

export interface AnswerFigures {
  ttft_overhead_ms: { p50: number; p95: number; first: number; questions: number }
  /** Time to first token of a first question asked `TYPING_MS` after launch. */
  first_after_typing_ms: number
  cold_start_s: number
  cold_start_runs_s: number[]
}

interface WireMessage {
  kind: 'result' | 'event'
  id?: number
  name?: string
  result?: { ok: boolean; value?: { id?: string }; error?: { message: string } }
  payload?: { type?: string; chatId?: string }
}

/** A minimal client of the web host's WebSocket contract. */
class WireClient {
  private nextId = 1
  private readonly listeners = new Set<(message: WireMessage) => void>()

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as WireMessage
      for (const listener of this.listeners) listener(message)
    })
  }

  static connect(url: URL): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${url.host}/ws${url.search}`, { origin: url.origin })
      ws.once('open', () => resolve(new WireClient(ws)))
      ws.once('error', reject)
    })
  }

  /** Sends a request; `sent` is called the moment it leaves. */
  invoke(name: string, input: unknown, sent?: () => void): Promise<WireMessage['result']> {
    const id = this.nextId++
    const reply = this.next((m) => m.kind === 'result' && m.id === id, 60_000)
    this.ws.send(JSON.stringify({ kind: 'invoke', id, name, input }), () => sent?.())
    return reply.then((m) => m.result)
  }

  next(match: (message: WireMessage) => boolean, timeoutMs: number): Promise<WireMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener)
        reject(new Error('the web host did not answer in time'))
      }, timeoutMs)
      const listener = (message: WireMessage): void => {
        if (!match(message)) return
        clearTimeout(timer)
        this.listeners.delete(listener)
        resolve(message)
      }
      this.listeners.add(listener)
    })
  }

  close(): void {
    this.ws.close()
  }
}

function roomEvent(chatId: string, type: string): (message: WireMessage) => boolean {
  return (m) => m.kind === 'event' && m.name === 'room.event' && m.payload?.chatId === chatId && m.payload.type === type
}

/** Starts `documind serve` on the library and resolves with its address once it prints it. */
function serve(libraryDir: string, ollamaUrl: string): Promise<{ url: URL; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--db', libraryDir, '--ollama', ollamaUrl, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    child.once('exit', (code) => reject(new Error(`documind serve exited (${code}): ${err.slice(-1000)}`)))
    child.stdout.setEncoding('utf8').on('data', function first(chunk: string) {
      out += chunk
      if (!out.includes('\n')) return
      child.stdout.off('data', first)
      child.removeAllListeners('exit')
      const stopped = new Promise<void>((done) => child.once('exit', () => done()))
      resolve({
        url: new URL(out.slice(0, out.indexOf('\n')).trim()),
        stop: () => {
          child.kill('SIGTERM')
          return stopped
        }
      })
    })
  })
}

async function timeToFirstToken(libraryDir: string, ollamaUrl: string, delayMs: number, questions: number, pauseMs = 0): Promise<AnswerFigures['ttft_overhead_ms']> {
  const launched = performance.now()
  const host = await serve(libraryDir, ollamaUrl)
  const client = await WireClient.connect(host.url)
  try {
    const created = await client.invoke('chats.create', { title: 'benchmark' })
    const chatId = created?.value?.id
    if (!chatId) throw new Error(`could not create a chat: ${created?.error?.message}`)
    await client.invoke('chat.subscribe', { chatId })
    await new Promise((settle) => setTimeout(settle, launched + pauseMs - performance.now()))
    const samples: number[] = []
    const list = Array.from({ length: questions + 1 }, (_, i) => QUESTIONS[i % QUESTIONS.length])
    for (const question of list) {
      let sentAt = 0
      const firstToken = client.next(roomEvent(chatId, 'token'), 60_000)
      const ended = client.next((m) => roomEvent(chatId, 'done')(m) || roomEvent(chatId, 'error')(m), 120_000)
      const asked = await client.invoke('chat.ask', { chatId, question }, () => (sentAt = performance.now()))
      if (!asked?.ok) throw new Error(`the question was refused: ${asked?.error?.message}`)
      // An answer with nothing relevant in the library ends without asking the model: there is no
      // first token to time, and waiting for one would only end in a timeout.
      if ((await Promise.race([firstToken.then(() => 'token'), ended.then(() => 'ended')])) === 'ended') {
        throw new Error(`"${question}" was answered without the model (nothing relevant found in ${libraryDir}): no first token to time`)
      }
      samples.push(performance.now() - sentAt - delayMs)
      await ended
    }
    // The first question also opens the query worker's read connection: reported on its own.
    return { p50: percentile(samples.slice(1), 50), p95: percentile(samples.slice(1), 95), first: samples[0], questions: samples.length - 1 }
  } finally {
    client.close()
    await host.stop()
  }
}

/** Launch to first token of `documind ask`, in seconds. */
function coldStartOnce(libraryDir: string, ollamaUrl: string, delayMs: number, question: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [CLI, 'ask', question, '--db', libraryDir, '--ollama', ollamaUrl], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    let firstAt = 0
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    child.stdout.once('data', () => (firstAt = performance.now()))
    child.stdout.resume()
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0 || !firstAt) reject(new Error(`documind ask failed (${code}): ${err.slice(-1000)}`))
      else resolve((firstAt - started - delayMs) / 1000)
    })
  })
}

export async function runAnswers(options: { libraryDir: string; ollamaUrl: string; delayMs: number; questions: number; coldRuns: number; log: (line: string) => void }): Promise<AnswerFigures> {
  options.log(`answers: time to first token through documind serve (${options.questions} questions)`)
  const ttft = await timeToFirstToken(options.libraryDir, options.ollamaUrl, options.delayMs, options.questions)
  options.log(`  p50 ${ttft.p50.toFixed(1)} ms, p95 ${ttft.p95.toFixed(1)} ms (first question ${ttft.first.toFixed(0)} ms)`)
  const afterTyping = (await timeToFirstToken(options.libraryDir, options.ollamaUrl, options.delayMs, 0, TYPING_MS)).first
  options.log(`  first question asked ${TYPING_MS / 1000} s after launch: ${afterTyping.toFixed(0)} ms`)
  const runs: number[] = []
  for (let i = 0; i < options.coldRuns; i++) runs.push(await coldStartOnce(options.libraryDir, options.ollamaUrl, options.delayMs, QUESTIONS[i % QUESTIONS.length]))
  const cold = percentile(runs, 50)
  options.log(`answers: cold start (documind ask, launch to first token) ${runs.map((s) => s.toFixed(2)).join(', ')} s`)
  return { ttft_overhead_ms: ttft, first_after_typing_ms: afterTyping, cold_start_s: cold, cold_start_runs_s: runs }
}
