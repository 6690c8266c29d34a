/**
 * What must hold whatever a model says and whether or not it is running: HTML, script and
 * `javascript:` links in an answer show as text and run nothing; with Ollama gone, a banner says
 * so and questions still get extractive answers with their sources. Real `documind serve`, fake
 * Ollama server, headless Chromium.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { launchBrowser, openPage, saveArtifacts, type LoggedPage } from './support/browser'
import { dropFiles } from './support/drop'
import { startServe, type ServedApp } from './support/serve'
import { answers, ask, eventually, expectEqual, finishedAnswer, openView } from './support/ui'

const CORPUS = join(import.meta.dirname, '../../../shared/data/corpus-mini')

/** A note whose text carries markup: its passages are shown in answers and the citation panel. */
const HOSTILE_NOTE = [
  '# Quokka field notes',
  '',
  'Quokkas live on Rottnest Island and Bald Island, off the coast of Western Australia.',
  '',
  '<script>window.__pwnedByDocument=1</script>',
  '',
  '<img src=x onerror="window.__pwnedByDocument=1"> <a href="javascript:window.__pwnedByDocument=1">map of the islands</a>',
  '',
  'Quokkas shelter in dense scrub during the day and feed at night.'
].join('\n')

/** What the page would have done had any markup run. */
function pageState(page: LoggedPage['page']): Promise<Record<string, unknown>> {
  return page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? (window as unknown as { __pwnedByDocument?: unknown }).__pwnedByDocument,
    scripts: document.querySelectorAll('main script, [data-testid="citation-panel"] script').length,
    images: document.querySelectorAll('main img, [data-testid="citation-panel"] img').length,
    handlers: document.querySelectorAll('[onerror], [onclick], [onload]').length,
    scriptLinks: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length
  }))
}

const HOSTILE_REPLY = [
  'Use `7z x` to extract [1].',
  '',
  '<script>window.__pwned=1</script>',
  '',
  '<img src=x onerror="window.__pwned=1">',
  '',
  '[click](javascript:window.__pwned=1)'
].join('\n')

describe('answers that cannot hurt, and answers without a model', () => {
  let fake: FakeOllama
  let app: ServedApp
  let browser: Browser
  let notes: string
  const pages: LoggedPage[] = []

  beforeAll(async () => {
    notes = await mkdtemp(join(tmpdir(), 'documind-hostile-'))
    await writeFile(join(notes, 'quokka-notes.md'), HOSTILE_NOTE)
    fake = await startFakeOllama({ reply: HOSTILE_REPLY })
    app = await startServe({ ollamaUrl: fake.url })
    browser = await launchBrowser()
    const opened = await openPage(browser, app.url)
    pages.push(opened)
    const { page } = opened
    try {
      await openView(page, 'Library')
      await page.getByText('No documents yet.').waitFor()
      await dropFiles(page, [join(CORPUS, 'md/tldr/en/7z.md'), join(CORPUS, 'html/appetite.html')])
      await eventually(async () => expectEqual(await page.locator('[data-testid="document-row"][data-status="ready"]').count(), 2, 'ready documents'), 60_000, 'the import')
      await openView(page, 'Chats')
    } catch (error) {
      await saveArtifacts('safety-and-offline-setup', pages, app.output())
      throw error
    }
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await fake?.close()
    if (notes) await rm(notes, { recursive: true, force: true })
  })

  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(() => saveArtifacts(`safety-and-offline-${task.name}`, pages, app.output()).then(() => undefined))
  })

  it('shows HTML, script and javascript: links from the model as text, and runs none of it', async () => {
    const { page } = pages[0]
    await ask(page, 'How do I extract a 7z archive?')
    const answer = await finishedAnswer(page, 1)

    // The markup is there for the user to read, as text.
    await answer.getByText('<script>window.__pwned=1</script>').waitFor()
    await answer.getByText('<img src=x onerror="window.__pwned=1">').waitFor()
    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      scripts: document.querySelectorAll('main script').length,
      images: document.querySelectorAll('main img').length,
      handlers: document.querySelectorAll('main [onerror], main [onclick], main [onload]').length,
      scriptLinks: document.querySelectorAll('main [href^="javascript:" i], main [src^="javascript:" i]').length
    }))
    expectEqual(dom.pwned, undefined, 'window.__pwned')
    expectEqual(dom.scripts, 0, '<script> elements in the page')
    expectEqual(dom.images, 0, '<img> elements in the page')
    expectEqual(dom.handlers, 0, 'inline event handlers in the page')
    expectEqual(dom.scriptLinks, 0, 'javascript: URLs in the page')

    // The link's words are shown; clicking them goes nowhere and runs nothing.
    const before = page.url()
    const pagesBefore = page.context().pages().length
    await answer.getByText('click', { exact: true }).click()
    await page.waitForTimeout(300)
    expectEqual(page.url(), before, 'the address after clicking the link')
    expectEqual(page.context().pages().length, pagesBefore, 'windows after clicking the link')
    expectEqual(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, 'window.__pwned after clicking')
  })

  it('says Ollama is unreachable and what still works, and still answers extractively', async () => {
    const { page } = pages[0]
    await fake.stop()
    const banner = page.getByTestId('ollama-banner')
    // The host checks the model server every few seconds and tells every window.
    await banner.waitFor({ timeout: 15_000 })
    await banner.getByText('The local model (Ollama) is not reachable').waitFor()
    await banner.getByText(/still import documents, search them and get extractive answers/).waitFor()

    await ask(page, 'How do I extract a 7z archive?')
    const answer = await finishedAnswer(page, 2)
    expectEqual(await answer.getAttribute('data-message-status'), 'complete', 'the extractive answer')
    await answer.locator('.notice-extractive').waitFor()
    if ((await answer.locator('.cite-chip').count()) === 0) throw new Error('the extractive answer cites nothing')
    await answer.locator('.sources').getByText('7z').first().waitFor()
    expectEqual(await answers(page).count(), 2, 'answers')

    // And when it comes back, the banner goes.
    await fake.restart()
    await banner.waitFor({ state: 'detached', timeout: 15_000 })
  })

  it('shows script, event handlers and javascript: links from a document as text, in answers and in the passage', async () => {
    const { page } = pages[0]
    await openView(page, 'Library')
    await dropFiles(page, [join(notes, 'quokka-notes.md')])
    await eventually(async () => expectEqual(await page.locator('[data-testid="document-row"][data-status="ready"]').count(), 3, 'ready documents'), 60_000, 'the import')
    await openView(page, 'Chats')
    // The model is down again: the extractive answer quotes the document's passages as they are.
    await fake.stop()
    await ask(page, 'Where do quokkas live?')
    const answer = await finishedAnswer(page, 3)
    await answer.locator('.notice-extractive').waitFor()
    const quoted = (await answer.textContent()) ?? ''
    if (!quoted.includes('Rottnest Island')) throw new Error(`the extractive answer does not quote the note: ${quoted}`)

    const chip = answer.locator('.cite-chip').first()
    await chip.click()
    const panel = page.getByTestId('citation-panel')
    await panel.getByText('Quokka field notes').first().waitFor()
    const passage = (await panel.locator('.passage-text').textContent()) ?? ''
    for (const markup of ['<script>window.__pwnedByDocument=1</script>', 'onerror=', 'javascript:']) {
      if (!passage.includes(markup)) throw new Error(`the passage does not show "${markup}" as text: ${passage}`)
    }
    await page.waitForTimeout(300)
    const dom = await pageState(page)
    expectEqual(dom.pwned, undefined, 'a flag set by markup from the document')
    expectEqual(dom.scripts, 0, '<script> elements in the page')
    expectEqual(dom.images, 0, '<img> elements in the answers or the passage')
    expectEqual(dom.handlers, 0, 'inline event handlers in the page')
    expectEqual(dom.scriptLinks, 0, 'javascript: URLs in the page')
    await page.keyboard.press('Escape')
    await fake.restart()
  })
})
