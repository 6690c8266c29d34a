/** Runs the built `documind` CLI (npm test builds first; run `npm run build` before running these alone). */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export const BIN = resolve(process.cwd(), 'bin/documind.js')
export const BUILT = existsSync(resolve(process.cwd(), 'out/main/cli.js'))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts `documind ARGS...`; `done` resolves when it exits, however it exits. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<CliResult>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr })))
  return { child, done }
}

/** Runs `documind ARGS...` to the end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).done
}

/** The last line of stdout parsed as JSON (the --json result). */
export function jsonOf(result: CliResult): Record<string, unknown> {
  const line = result.stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout.slice(-500)}\n${result.stderr.slice(-2000)}`)
  }
}
