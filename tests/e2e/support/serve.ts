/**
 * Runs the real web host, `documind serve`, as a child process on port 0 with a temporary
 * library, the way a user would: the first line it prints is the URL to open, token included.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

export const REPO_ROOT = resolve(import.meta.dirname, '../../..')

/** A running `documind serve`. */
export interface ServedApp {
  /** The URL it printed: http://127.0.0.1:PORT/?token=T */
  url: string
  origin: string
  libraryDir: string
  /** Everything it wrote to stdout and stderr, for the failure report. */
  output(): string
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 30_000

/** Fails with a clear reason when the app has not been built (npm test builds it first). */
export function assertBuilt(): void {
  for (const file of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` (npm test does) before the e2e tests.`)
  }
}

export async function startServe(options: { ollamaUrl: string; libraryDir?: string }): Promise<ServedApp> {
  assertBuilt()
  const libraryDir = options.libraryDir ?? (await mkdtemp(join(tmpdir(), 'documind-e2e-')))
  const ownsLibrary = options.libraryDir === undefined
  const child = spawn(process.execPath, ['bin/documind.js', 'serve', '--port', '0', '--db', libraryDir, '--ollama', options.ollamaUrl], {
    cwd: REPO_ROOT,
    // OLLAMA_HOST is set too, so nothing can fall back to a real Ollama on the default port.
    env: { ...process.env, OLLAMA_HOST: options.ollamaUrl },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const url = await firstLine(child, () => log)
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  return {
    url,
    origin: new URL(url).origin,
    libraryDir,
    output: () => log,
    stop: async () => {
      await stopChild(child)
      if (ownsLibrary) await rm(libraryDir, { recursive: true, force: true })
    }
  }
}

function firstLine(child: ChildProcess, log: () => string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => fail(new Error(`documind serve printed no URL within ${START_TIMEOUT_MS} ms.\n${log()}`)), START_TIMEOUT_MS)
    const fail = (error: Error): void => {
      clearTimeout(timer)
      lines.close()
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('exit', (code) => fail(new Error(`documind serve exited (${code}) before printing its URL.\n${log()}`)))
    lines.once('line', (line) => {
      clearTimeout(timer)
      child.removeAllListeners('exit')
      lines.close()
      const url = line.trim()
      if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/.test(url)) {
        child.kill('SIGKILL')
        reject(new Error(`documind serve's first line is not its URL: ${url}\n${log()}`))
        return
      }
      resolvePromise(url)
    })
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
