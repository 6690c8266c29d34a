/**
 * Headless Debian Chromium driven by playwright-core, a fresh profile per launch, and what a
 * failed test leaves behind: a screenshot of every open page and its console log.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { REPO_ROOT } from './serve'

export const CHROMIUM_PATH = process.env.DOCUMIND_CHROMIUM ?? '/usr/bin/chromium'

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS })
}

/** A page and everything it logged (console messages, page errors, failed requests). */
export interface LoggedPage {
  page: Page
  log: string[]
}

/** Opens a page in its own context (as a second window would be), recording its console. */
export async function openPage(
  browser: Browser,
  url: string,
  options: { locale?: string; colorScheme?: 'light' | 'dark'; context?: BrowserContext; beforeGoto?: (page: Page) => Promise<void> } = {}
): Promise<LoggedPage> {
  const context = options.context ?? (await browser.newContext({ locale: options.locale ?? 'en-US', colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 800 } }))
  const page = await context.newPage()
  const log: string[] = []
  page.on('console', (message) => log.push(`[${message.type()}] ${message.text()}`))
  page.on('pageerror', (error) => log.push(`[pageerror] ${error.message}`))
  page.on('requestfailed', (request) => log.push(`[requestfailed] ${request.url()} ${request.failure()?.errorText ?? ''}`))
  await options.beforeGoto?.(page)
  await page.goto(url)
  return { page, log }
}

/** Saves a screenshot and the console log of each page into test-results/e2e/<name>/. */
export async function saveArtifacts(name: string, pages: LoggedPage[], serverOutput: string): Promise<string> {
  const dir = join(REPO_ROOT, 'test-results', 'e2e', name.replace(/[^\w.-]+/g, '_').slice(0, 120))
  await mkdir(dir, { recursive: true })
  for (const [i, { page, log }] of pages.entries()) {
    if (page.isClosed()) continue
    await page.screenshot({ path: join(dir, `page-${i + 1}.png`), fullPage: true }).catch(() => undefined)
    await writeFile(join(dir, `page-${i + 1}.console.log`), log.join('\n') + '\n')
  }
  await writeFile(join(dir, 'server.log'), serverOutput)
  console.error(`e2e failure artefacts: ${dir}`)
  return dir
}
