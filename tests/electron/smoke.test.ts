/**
 * The desktop app for real, through Playwright's Electron driver: the built app opens its window
 * with the bridge and without Node or Electron objects, the CSP is in force, navigation is refused, and "New Window" opens a second window. Runs where the Electron
 * binary exists and can open a window; elsewhere it is skipped with the reason, which
 * `npm start -- --check` gives (the same check `npm start` makes).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron, type ElectronApplication } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DocumindClient } from '../../src/shared/contract'

interface Runtime {
  available: boolean
  reason?: string
  path?: string
}

const root = resolve('.')
const runtime = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts', 'start.js'), '--check'], { encoding: 'utf8' })) as Runtime
const built = existsSync(join(root, 'out', 'main', 'index.js')) && existsSync(join(root, 'out', 'renderer', 'index.html'))
const skipReason = !runtime.available ? `Electron binary not installed here: ${runtime.reason}` : !built ? 'the app is not built (run npm run build)' : ''
if (skipReason) console.warn(`Electron smoke test skipped: ${skipReason}`)

type PageWindow = Window & { documind?: DocumindClient; require?: unknown; process?: unknown; injected?: boolean }

describe.skipIf(Boolean(skipReason))(`Electron smoke test${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let app: ElectronApplication
  let userData: string

  beforeAll(async () => {
    userData = await mkdtemp(join(tmpdir(), 'documind-electron-'))
    // A temporary user-data folder: the test neither reads nor touches the real library.
    const env: Record<string, string> = { DOCUMIND_USER_DATA: userData, DOCUMIND_DB: join(userData, 'library') }
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] ??= value
    app = await _electron.launch({ executablePath: runtime.path, args: ['.'], cwd: root, env, timeout: 60_000 })
  })

  afterAll(async () => {
    await app?.close()
    if (userData) await rm(userData, { recursive: true, force: true })
  })

  it('opens a window with the app, the bridge, and no Node', async () => {
    const page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
    await expect.poll(() => page.title(), { timeout: 30_000 }).toContain('DocuMind')
    expect(page.url()).toMatch(/^app:\/\/documind\//)
    expect(await page.evaluate(() => Object.keys((window as PageWindow).documind ?? {}).sort())).toEqual(['invoke', 'on', 'pathsForDropped'])
    expect(await page.evaluate(() => typeof (window as PageWindow).require)).toBe('undefined')
    expect(await page.evaluate(() => typeof (window as PageWindow).process)).toBe('undefined')
    const settings = await page.evaluate(() => (window as PageWindow).documind?.invoke('settings.get', {}))
    expect(settings?.ok).toBe(true)
    const unknown = await page.evaluate(() => (window as PageWindow).documind?.invoke('fs.read' as 'settings.get', {}))
    expect(unknown?.ok).toBe(false)
  })

  it('gives the page no Electron object and no way to the preload\'s world', async () => {
    const page = await app.firstWindow()
    const globals = await page.evaluate(() => ['ipcRenderer', 'electron', 'module', 'Buffer', 'global'].filter((name) => name in window))
    expect(globals).toEqual([])
    // With context isolation the bridge is a frozen copy: the page cannot replace its functions.
    const replaced = await page.evaluate(() => {
      const bridge = (window as PageWindow).documind as unknown as Record<string, unknown>
      try {
        bridge.invoke = () => 'hijacked'
      } catch {
        // Strict-mode assignment to a frozen property throws; either way it must not stick.
      }
      return typeof bridge.invoke === 'function' && String(bridge.invoke) !== String(() => 'hijacked')
    })
    expect(replaced).toBe(true)
  })

  it('enforces the CSP and refuses navigation', async () => {
    const page = await app.firstWindow()
    const injected = await page.evaluate(async () => {
      const script = document.createElement('script')
      script.textContent = 'window.injected = true'
      document.body.append(script)
      await new Promise((r) => setTimeout(r, 100))
      return (window as PageWindow).injected === true
    })
    expect(injected).toBe(false)
    const fetched = await page.evaluate(() => fetch('https://example.com/').then(() => 'reached', () => 'blocked'))
    expect(fetched).toBe('blocked')
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await new Promise((r) => setTimeout(r, 500))
    expect(page.url()).toMatch(/^app:\/\/documind\//)
  })

  it('opens a second window from the menu', async () => {
    await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('new-window')?.click())
    await expect.poll(() => app.windows().length, { timeout: 15_000 }).toBe(2)
  })
})
