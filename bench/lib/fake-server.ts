/**
 * The fake Ollama server as a child process of the benchmark (see bench/fake-server.ts): both
 * pipelines embed through it, and answers stream from it, with zero model time unless asked.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface FakeServerProcess {
  url: string
  firstTokenDelayMs: number
  /** CPU time the server has used so far (user + system), from /proc. */
  cpuSeconds(): number
  close(): Promise<void>
}

const CLOCK_TICKS_PER_SECOND = 100

const ENTRY = fileURLToPath(new URL('../fake-server.ts', import.meta.url))

export function startFakeServer(firstTokenDelayMs = 0): Promise<FakeServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, String(firstTokenDelayMs)], { stdio: ['pipe', 'pipe', 'inherit'] })
    let buffered = ''
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the fake Ollama server exited (${code}) before it was ready`)))
    child.stdout.setEncoding('utf8').on('data', function onData(chunk: string) {
      buffered += chunk
      const newline = buffered.indexOf('\n')
      if (newline < 0) return
      child.stdout.off('data', onData)
      child.removeAllListeners('exit')
      const { url } = JSON.parse(buffered.slice(0, newline)) as { url: string }
      resolve({
        url,
        firstTokenDelayMs,
        cpuSeconds: () => {
          try {
            const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
            return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
          } catch {
            return Number.NaN
          }
        },
        close: () =>
          new Promise((done) => {
            child.once('exit', () => done())
            child.stdin.end()
          })
      })
    })
  })
}
