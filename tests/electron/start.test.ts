/**
 * `npm start` where the Electron runtime cannot run (as on a machine that installed the electron
 * package offline, so without its binary): it says why, names the web host, exits 1 when told not
 * to fall back, and otherwise, non-interactively, starts the web host. Where Electron can run these
 * would open the desktop app instead, so they are skipped there with that reason.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve('.')
const start = join(root, 'scripts', 'start.js')
const runtime = JSON.parse(execFileSync(process.execPath, [start, '--check'], { encoding: 'utf8' })) as { available: boolean; reason?: string }
const built = existsSync(join(root, 'out', 'main', 'cli.js'))
const serveExists = built && execFileSync(process.execPath, [join(root, 'bin', 'documind.js'), 'help'], { encoding: 'utf8' }).match(/^\s+serve\b/m) !== null

let home: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'documind-start-'))
  // Keep the web host's library and settings out of the real user folder, and Ollama unreachable.
  env = { ...process.env, XDG_CONFIG_HOME: home, APPDATA: home, DOCUMIND_DB: join(home, 'library'), OLLAMA_HOST: 'http://127.0.0.1:9' }
})

afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs start.js; resolves when it exits, or once `until` sees what it waits for (then stops it). */
function runStart(args: string[], until?: (stdout: string) => boolean, timeoutMs = 120_000): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [start, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`start.js did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (until?.(stdout)) child.kill('SIGTERM')
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
}

const skipReason = runtime.available ? 'Electron can run here, so npm start opens the desktop app' : !built ? 'the app is not built (run npm run build)' : ''

describe.skipIf(Boolean(skipReason))(`npm start without a usable Electron${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('says why the desktop app cannot start, names the web host, and exits 1 with --no-web', async () => {
    const result = await runStart(['--no-web'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('the desktop app cannot start here')
    expect(result.stderr).toContain(runtime.reason ?? '')
    expect(result.stderr).toContain('documind serve')
  })

  it.skipIf(!serveExists)(`starts the web host instead when not interactive${serveExists ? '' : ' (skipped: this build has no `documind serve` yet)'}`, async () => {
    const url = /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m
    const result = await runStart(['--port', '0'], (stdout) => url.test(stdout))
    expect(result.stderr).toContain('the desktop app cannot start here')
    expect(result.stderr).toContain('not interactive: starting the web host')
    expect(result.stdout).toMatch(url)
  })
})
