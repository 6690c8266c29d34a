/**
 * Settings in a browser against the real `documind serve` and a fake Ollama server: the live
 * status of the model server and of a changed address, the installed models offered for chat and
 * for embedding, a pull with its progress, and language and theme that persist and otherwise
 * follow the system.
 */
import { describe, it } from 'vitest'
import { openPage } from './support/browser'
import { useServedApp } from './support/session'
import { eventually, expectEqual, openView } from './support/ui'

describe('settings', () => {
  // A pull slow enough that its progress bar can be seen.
  const session = useServedApp('settings', { fake: { pullSteps: 6, pullDelayMs: 120 } })

  it('shows the model server live, and a wrong address as unreachable with the banner', async () => {
    const { page } = session.pages[0]
    await openView(page, 'Settings')
    const status = page.getByTestId('ollama-status')
    await status.getByText('Connected: Ollama 0.12.6, 2 models installed.').waitFor()

    const host = page.getByRole('textbox', { name: 'Ollama address' })
    // Port 9 (discard) on loopback: nothing listens there.
    await host.fill('http://127.0.0.1:9')
    await page.getByRole('button', { name: 'Apply' }).click()
    await status.getByText(/^Not reachable/).waitFor({ timeout: 15_000 })
    await page.getByTestId('ollama-banner').waitFor()

    await host.fill(session.fake.url)
    await page.getByRole('button', { name: 'Apply' }).click()
    await status.getByText(/^Connected/).waitFor({ timeout: 15_000 })
    await page.getByTestId('ollama-banner').waitFor({ state: 'detached' })
  })

  it('says so when Ollama answers with errors, and clears the banner once it recovers', async () => {
    const { page } = session.pages[0]
    await openView(page, 'Chats')
    session.fake.set({ fault: { kind: 'http-error', status: 500, message: 'model runner crashed', paths: ['/api/tags'] } })
    // The status is polled every few seconds; the banner names the error and what still works.
    const banner = page.locator('[data-testid="ollama-banner"][data-state="failing"]')
    await banner.waitFor({ timeout: 20_000 })
    const text = (await banner.textContent()) ?? ''
    for (const part of ['The local model (Ollama) is answering with errors', 'model runner crashed', 'extractive answers']) {
      if (!text.includes(part)) throw new Error(`the banner does not say "${part}": ${text}`)
    }
    session.fake.set({ fault: null })
    await page.getByTestId('ollama-banner').waitFor({ state: 'detached', timeout: 20_000 })
    await openView(page, 'Settings')
  })

  it('offers installed models by kind, pulls one with progress, and keeps the choice', async () => {
    const { page } = session.pages[0]
    const chatModel = page.getByLabel('Chat model', { exact: true })
    const embedder = page.getByLabel('Embedding model', { exact: true })
    expectEqual(JSON.stringify(await chatModel.locator('option').allTextContents()), JSON.stringify(['First installed chat model', 'llama3.2:latest']), 'chat models')
    expectEqual(JSON.stringify(await embedder.locator('option').allTextContents()), JSON.stringify(['Built-in (works without Ollama)', 'nomic-embed-text:latest']), 'embedding models')

    await page.getByRole('textbox', { name: 'Download a model' }).fill('qwen2.5:0.5b')
    await page.getByRole('button', { name: 'Download', exact: true }).click()
    const pull = page.getByTestId('pull-progress').filter({ hasText: 'qwen2.5:0.5b' })
    await pull.locator('progress').waitFor()
    await pull.getByText('success').waitFor({ timeout: 15_000 })
    await eventually(async () => {
      if (!(await chatModel.locator('option').allTextContents()).includes('qwen2.5:0.5b')) throw new Error('the pulled model is not offered')
    }, 15_000, 'the pulled model in the list')

    await chatModel.selectOption('qwen2.5:0.5b')
    await page.getByText('Settings saved.').waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    await eventually(async () => expectEqual(await page.getByLabel('Chat model', { exact: true }).inputValue(), 'qwen2.5:0.5b', 'the chat model after reload'), 10_000)
  })

  it('switches language and theme, keeps them across a reload, and otherwise follows the system', async () => {
    const { page } = session.pages[0]
    await page.getByLabel('Language', { exact: true }).selectOption('zh-TW')
    await page.getByRole('heading', { name: '設定' }).waitFor()
    await page.getByLabel('主題', { exact: true }).selectOption('dark')
    // The theme applies once the host has saved it.
    await eventually(async () => expectEqual(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the theme'), 10_000)
    expectEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(23, 24, 27)', 'the dark background')
    expectEqual(await page.evaluate(() => document.documentElement.lang), 'zh-TW', 'the page language')

    await page.reload()
    await page.getByRole('heading', { name: '設定' }).waitFor()
    await eventually(async () => expectEqual(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'the theme after reload'), 10_000)

    await page.getByLabel('語言', { exact: true }).selectOption('system')
    await page.getByLabel('Theme', { exact: true }).selectOption('system')
    await page.getByRole('heading', { name: 'Settings' }).waitFor()

    // "Follow the system": a browser whose language is Chinese and whose scheme is dark gets both.
    const zh = await openPage(session.browser, `${session.app.url}#/settings`, { locale: 'zh-TW', colorScheme: 'dark' })
    session.pages.push(zh)
    await zh.page.getByRole('heading', { name: '設定' }).waitFor()
    expectEqual(await zh.page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(23, 24, 27)', 'the system-dark background')
  })

  it('reaches every control with Tab, each with a visible focus ring', async () => {
    const { page } = session.pages[0]
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    const controls = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, [tabindex="0"]')]
        .filter((el) => el.getClientRects().length > 0 && !(el as HTMLButtonElement).disabled)
        .map((el) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? el.id).trim().slice(0, 40)}"`)
    )
    // Side bar, Ollama address, model lists, pull, language, theme: well over ten.
    if (controls.length < 10) throw new Error(`only ${controls.length} controls found: ${controls.join(', ')}`)
    const reached = new Map<string, boolean>()
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    for (let i = 0; i < controls.length + 5; i++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        if (!el || el === document.body) return null
        const style = getComputedStyle(el)
        return {
          name: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? el.id).trim().slice(0, 40)}"`,
          ring: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2
        }
      })
      if (focused) reached.set(focused.name, focused.ring)
    }
    const unreached = controls.filter((name) => !reached.has(name))
    if (unreached.length > 0) throw new Error(`not reachable with Tab: ${unreached.join(', ')}`)
    const ringless = [...reached].filter(([, ring]) => !ring).map(([name]) => name)
    if (ringless.length > 0) throw new Error(`no visible focus ring: ${ringless.join(', ')}`)
  })
})
