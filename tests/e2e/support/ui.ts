/**
 * What a user does and sees in DocuMind's window, as small steps the e2e tests share. Selectors
 * are roles and visible text where a user would use them; data-testid only where nothing visible
 * names a thing (the import panel, a document row).
 */
import type { Locator, Page } from 'playwright-core'

/** Polls until `check` passes (it throws while it does not), like a user waiting for the screen. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, what = 'the expected state'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      return await check()
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${last instanceof Error ? last.message : String(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

export function composer(page: Page): Locator {
  return page.getByRole('textbox', { name: /Your question|你的問題/ })
}

/** The answers on screen, newest last. */
export function answers(page: Page): Locator {
  return page.locator('article.message-assistant')
}

export function questions(page: Page): Locator {
  return page.locator('article.message-user')
}

/** Asks a question the ordinary way: type, press Enter. */
export async function ask(page: Page, question: string): Promise<void> {
  const box = composer(page)
  await box.click()
  await box.fill(question)
  await box.press('Enter')
}

/** Waits until the newest answer is finished (not streaming) and returns it. */
export async function finishedAnswer(page: Page, count: number, timeoutMs = 30_000): Promise<Locator> {
  const answer = answers(page).nth(count - 1)
  await eventually(
    async () => {
      const status = await answer.getAttribute('data-message-status', { timeout: 500 })
      if (!status || status === 'streaming') throw new Error(`answer ${count} is ${status ?? 'not there'}`)
    },
    timeoutMs,
    `answer ${count} to finish`
  )
  return answer
}

/**
 * Records every text the streaming-status live region shows, from now on: the stages are short
 * (retrieval takes milliseconds), so they are caught as they happen rather than polled for.
 */
export async function recordStreamStatus(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = []
    Object.assign(window, { __streamStatusSeen: seen })
    const region = document.querySelector('[data-testid="stream-status"]')
    const record = (): void => {
      const text = document.querySelector('[data-testid="stream-status"]')?.textContent ?? ''
      if (text && seen.at(-1) !== text) seen.push(text)
    }
    new MutationObserver(record).observe(region?.parentElement ?? document.body, { subtree: true, childList: true, characterData: true })
  })
  return () => page.evaluate(() => (window as unknown as { __streamStatusSeen: string[] }).__streamStatusSeen)
}

/** Opens a view from the side bar's main navigation (Chats, Library, Settings, or their 繁體中文 names). */
export async function openView(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: /^(Main|主選單)$/ }).getByRole('button', { name, exact: true }).click()
}

/** The page number the citation panel shows for its passage, once it shows one. */
export async function citationPanelPage(page: Page): Promise<number> {
  const cell = page.getByTestId('citation-panel').locator('.citation-page')
  return eventually(
    async () => {
      const text = ((await cell.textContent({ timeout: 500 })) ?? '').trim()
      if (!/^\d+$/.test(text)) throw new Error(`the page cell shows "${text}"`)
      return Number(text)
    },
    10_000,
    'the passage page'
  )
}
