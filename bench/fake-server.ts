/**
 * The embedding and chat server both pipelines talk to: the test suite's fake Ollama (the real HTTP
 * API, zero model time), run in a process of its own so that its JSON work never lands on the
 * event loop or in the memory of the pipeline being measured. Prints `{"url": ...}` as its first
 * line, then serves until its parent closes stdin or sends SIGTERM.
 */
import { startFakeOllama } from '../tests/support/fake-ollama'

const firstTokenDelayMs = Number(process.argv[2] ?? 0)
const reply = 'DocuMind answers from your documents, citing the passages it used [1]. '.repeat(4)
const fake = await startFakeOllama({ firstTokenDelayMs, reply })
process.stdout.write(JSON.stringify({ url: fake.url }) + '\n')
// The fake logs every request with its body, for tests to inspect; a benchmark sends gigabytes of
// text through it, so the log is emptied as it goes.
setInterval(() => fake.requests.splice(0, fake.requests.length), 1000).unref()

const stop = (): void => {
  void fake.close().then(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
