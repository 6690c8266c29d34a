/**
 * DocuMind in a browser, end to end: the real `documind serve` (its app service, workers and
 * LanceDB in a temporary library) with a fake Ollama *server*, driven through headless Chromium
 * the way a user would: drop files, watch the import, ask in English and in Chinese through an
 * IME composition, open a citation, follow the same stream from a second window, reload.
 * The steps build on each other, as a user's session does.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, WebSocketRoute } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { launchBrowser, openPage, saveArtifacts, type LoggedPage } from './support/browser'
import { dropFiles } from './support/drop'
import { citingReply } from './support/replies'
import { startServe, type ServedApp } from './support/serve'
import { answers, ask, citationPanelPage, composer, eventually, expectEqual, finishedAnswer, openView, questions, recordStreamStatus } from './support/ui'

const CORPUS = join(import.meta.dirname, '../../../shared/data/corpus-mini')
const BAD_INPUTS = join(import.meta.dirname, '../../../shared/data/bad-inputs')
const DROPPED = [
  'pdf/R-intro.pdf',
  'pdf/maint-guide.zh-tw.pdf',
  'html/appetite.html',
  'docx/sample.docx',
  'epub/alice.epub',
  'md/tldr/en/7z.md',
  'md/trpl-zh-tw/src/ch04-01-what-is-ownership.md'
].map((path) => join(CORPUS, path))

/** A long Markdown answer, streamed slowly enough to scroll and stop in the middle of it. */
const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: index vectors select and modify subsets of a vector; logical, positive, negative and named index vectors each have their rules [1].`).join('\n\n')

describe('DocuMind in a browser against documind serve', () => {
  let fake: FakeOllama
  let app: ServedApp
  let browser: Browser
  const pages: LoggedPage[] = []
  let chatUrl = ''

  beforeAll(async () => {
    // Tokens are spaced out so a stream is long enough to be seen in two windows.
    fake = await startFakeOllama({ reply: citingReply, firstTokenDelayMs: 300, tokenDelayMs: 40 })
    app = await startServe({ ollamaUrl: fake.url })
    browser = await launchBrowser()
    pages.push(await openPage(browser, app.url))
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    await fake?.close()
  })

  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(() => saveArtifacts(`library-and-chat-${task.name}`, pages, app.output()).then(() => undefined))
  })

  it('imports files dropped on the window, with progress, and lists them ready', async () => {
    const { page } = pages[0]
    await openView(page, 'Library')
    // Connected, and the (empty) library loaded: what a user sees before dragging files in.
    await page.getByText('No documents yet.').waitFor()

    await dropFiles(page, [...DROPPED, join(BAD_INPUTS, 'truncated.pdf')])

    const panel = page.getByTestId('import-progress')
    await panel.locator('progress').first().waitFor({ timeout: 15_000 })
    await panel.getByText(/Imported 7 files \(\d+ passages\)/).waitFor({ timeout: 60_000 })
    // The broken file is reported with its name and a reason, and does not stop the others.
    await panel.getByText('1 file could not be imported').waitFor()
    await panel.getByText('truncated.pdf').waitFor()

    const rows = page.getByTestId('document-row')
    // The list catches up with the import within a moment of its end.
    await eventually(async () => expectEqual(await rows.count(), 8, 'document rows'), 10_000, 'the document list')
    await eventually(async () => expectEqual(await page.locator('[data-testid="document-row"][data-status="ready"]').count(), 7, 'ready documents'), 10_000, 'the documents to be ready')
    const failed = page.locator('[data-testid="document-row"][data-status="failed"]')
    expectEqual(await failed.count(), 1, 'failed documents')
    const reason = (await failed.locator('.document-error').textContent()) ?? ''
    if (reason.trim().length < 10) throw new Error(`the failed document shows no reason: "${reason}"`)
    // A PDF row shows its pages and passages.
    const pdf = rows.filter({ hasText: 'R-intro' })
    await pdf.getByText('113', { exact: true }).waitFor()

    // Removing asks first; cancelling keeps the document, confirming removes it.
    await failed.getByRole('button', { name: 'Remove truncated.pdf' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText(/Remove “truncated.pdf” from the library\?/).waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expectEqual(await rows.count(), 8, 'document rows after cancelling')
    await failed.getByRole('button', { name: 'Remove truncated.pdf' }).click()
    await dialog.getByRole('button', { name: 'Remove' }).click()
    await eventually(async () => expectEqual(await rows.count(), 7, 'document rows after removing'), 10_000, 'the removal')
  })

  it('imports a folder chosen with "Add a folder…", keeping the paths inside it', async () => {
    const { page } = pages[0]
    const folder = await mkdtemp(join(tmpdir(), 'documind-folder-'))
    await mkdir(join(folder, 'notes', 'archivers'), { recursive: true })
    await copyFile(join(CORPUS, 'md/tldr/en/7za.md'), join(folder, 'notes', 'archivers', '7za.md'))
    await copyFile(join(CORPUS, 'md/tldr/en/7zr.md'), join(folder, 'notes', '7zr.md'))
    try {
      // In a browser the host has no file dialog: the button falls back to the browser's folder picker.
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Add a folder…' }).click()])
      await chooser.setFiles(join(folder, 'notes'))
      const rows = page.getByTestId('document-row')
      await eventually(async () => expectEqual(await page.locator('[data-testid="document-row"][data-status="ready"]').count(), 9, 'ready documents'), 60_000, 'the folder import')
      const nested = rows.filter({ hasText: '7za.md' })
      const path = (await nested.locator('.document-name').getAttribute('title')) ?? ''
      if (!path.endsWith(join('notes', 'archivers', '7za.md'))) throw new Error(`the folder's inner path was lost: ${path}`)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('streams an English answer with citation chips that open the passage and its page', async () => {
    const { page } = pages[0]
    await openView(page, 'Chats')
    const seen = await recordStreamStatus(page)
    await ask(page, 'How do I create a vector in R?')

    // While the answer streams: the Stop button, then the text growing.
    await page.getByRole('button', { name: /Stop/ }).waitFor({ timeout: 10_000 })
    await page.locator('article[data-message-status="streaming"] .markdown').waitFor({ timeout: 10_000 })
    const answer = await finishedAnswer(page, 1)
    expectEqual(await answer.getAttribute('data-message-status'), 'complete', 'answer status')
    const statuses = await seen()
    if (!statuses.includes('Searching your documents…')) throw new Error(`never showed "Searching your documents…": ${JSON.stringify(statuses)}`)
    await answer.getByText('two', { exact: true }).waitFor() // **two** rendered as Markdown

    const chip = answer.locator('.markdown .cite-chip').first()
    await chip.waitFor()
    // The answer's source list names the cited document and page; the panel must show the same.
    const listed = answer.locator('.source-list li').filter({ has: page.getByRole('button', { name: new RegExp(`^Source ${await chip.textContent()}:`) }) })
    const listedPage = ((await listed.locator('.source-page').textContent()) ?? '').trim()
    await chip.click()
    const panel = page.getByTestId('citation-panel')
    await panel.waitFor()
    await panel.getByText('R-intro.pdf', { exact: true }).waitFor()
    expectEqual(`Page ${await citationPanelPage(page)}`, listedPage, 'the page of the passage')
    const passage = (await panel.locator('.passage-text').textContent()) ?? ''
    if (passage.trim().length < 20) throw new Error(`the passage is empty: "${passage}"`)
    // Without a desktop host, "Open file" is answered 'unsupported' and the button goes away.
    await panel.getByRole('button', { name: 'Open file' }).click()
    await panel.getByText('Opening files needs the desktop app.').waitFor()
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })
    chatUrl = page.url()
    if (!/#\/chat\/.+/.test(chatUrl)) throw new Error(`the chat is not in the address: ${chatUrl}`)
  })

  it('sends a Chinese question only once the IME composition has ended', async () => {
    const { page } = pages[0]
    const box = composer(page)
    await box.click()
    await box.dispatchEvent('compositionstart', { data: '' })
    await page.keyboard.insertText('如何建立 Debian 套件？')
    // Enter that confirms the composition must not send.
    await page.keyboard.press('Enter')
    await page.waitForTimeout(500)
    expectEqual(await questions(page).count(), 1, 'questions after Enter during composition')
    if (!(await box.inputValue()).includes('如何建立 Debian 套件？')) throw new Error('the composed text left the box')

    await box.dispatchEvent('compositionend', { data: '如何建立 Debian 套件？' })
    await page.keyboard.press('Enter')
    await eventually(async () => expectEqual(await questions(page).count(), 2, 'questions'), 10_000, 'the Chinese question to be sent')
    expectEqual(((await questions(page).nth(1).textContent()) ?? '').trim(), '如何建立 Debian 套件？', 'the question sent')
    expectEqual(await box.inputValue(), '', 'the composer after sending')

    const answer = await finishedAnswer(page, 2)
    await answer.getByText(/建立套件之前/).waitFor()
    await answer.locator('.markdown .cite-chip').first().click()
    const panel = page.getByTestId('citation-panel')
    await panel.getByText('Debian 新維護人員手冊', { exact: true }).waitFor()
    await citationPanelPage(page)
    await panel.getByRole('button', { name: 'Close' }).click()
  })

  it('shows the same stream in a second window on the same chat', async () => {
    const second = await openPage(browser, chatUrl)
    pages.push(second)
    await eventually(async () => expectEqual(await answers(second.page).count(), 2, 'answers in the second window'), 15_000, 'the chat in the second window')

    const { page } = pages[0]
    await ask(page, 'What does R do with missing values?')
    // The second window did nothing but watch: it sees the answer being written, then done.
    const streaming = second.page.locator('article[data-message-status="streaming"] .markdown')
    await streaming.waitFor({ timeout: 10_000 })
    const partial = (await streaming.textContent()) ?? ''
    const inSecond = await finishedAnswer(second.page, 3)
    const inFirst = await finishedAnswer(page, 3)
    const finalText = (await inSecond.locator('.markdown').textContent()) ?? ''
    expectEqual(finalText, (await inFirst.locator('.markdown').textContent()) ?? '', 'the answer in both windows')
    if (!finalText.startsWith(partial.slice(0, 20)) || partial.length >= finalText.length) {
      throw new Error(`the second window did not see the answer grow: "${partial}" then "${finalText}"`)
    }
    expectEqual(await questions(second.page).count(), 3, 'questions in the second window')
    if ((await inSecond.locator('.cite-chip').count()) === 0) throw new Error('no citation chips in the second window')
  })

  it('keeps the chat and its citations after a reload', async () => {
    const { page } = pages[0]
    await page.reload()
    await eventually(async () => expectEqual(await answers(page).count(), 3, 'answers after reload'), 15_000, 'the chat after reload')
    expectEqual(await questions(page).count(), 3, 'questions after reload')
    // The chat is listed under its first question, which named it.
    await page.getByRole('navigation', { name: 'Chats' }).getByText('How do I create a vector in R?').waitFor()
    const first = answers(page).first()
    await first.getByText('two', { exact: true }).waitFor()
    await first.locator('.sources').getByText('R-intro.pdf').first().waitFor()
    await first.locator('.markdown .cite-chip').first().click()
    const panel = page.getByTestId('citation-panel')
    await citationPanelPage(page)
    const passage = (await panel.locator('.passage-text').textContent()) ?? ''
    if (passage.trim().length < 20) throw new Error(`the passage is empty after reload: "${passage}"`)
  })

  it('keeps chats apart: a new chat starts empty, search finds the first, and switching back shows it whole', async () => {
    const { page } = pages[0]
    await page.getByRole('button', { name: '+ New chat' }).click()
    await page.getByRole('heading', { name: 'Ask your documents' }).waitFor()
    expectEqual(await page.locator('article').count(), 0, 'messages shown in a new chat')
    await ask(page, 'What is 7z?')
    await finishedAnswer(page, 1)
    expectEqual(await questions(page).count(), 1, 'questions in the new chat')

    // Most recent first, named after its first question.
    const list = page.getByRole('navigation', { name: 'Chats', exact: true }).getByRole('button')
    await eventually(async () => expectEqual(((await list.first().locator('.chat-item-title').textContent()) ?? '').trim(), 'What is 7z?', 'the first chat in the list'), 10_000, 'the list order')

    // Only the first chat has this phrase (its first question).
    await page.getByRole('searchbox', { name: 'Search all chats' }).fill('vector in R')
    const hits = page.getByRole('navigation', { name: 'Search results' }).getByRole('button')
    await hits.first().waitFor()
    await eventually(async () => expectEqual(await hits.filter({ hasText: 'What is 7z?' }).count(), 0, 'hits from the other chat'), 5_000)
    await hits.filter({ hasText: 'How do I create a vector in R?' }).first().click()
    await eventually(async () => expectEqual(await questions(page).count(), 3, 'questions after switching back'), 10_000, 'the first chat')
    expectEqual(await answers(page).count(), 3, 'answers after switching back')
  })

  it('follows a long stream until the reader scrolls up, offers to jump to the latest, and keeps a stopped answer, marked', async () => {
    const { page } = pages[0]
    fake.set({ reply: LONG_REPLY, firstTokenDelayMs: 0, tokenDelayMs: 15 })
    await ask(page, 'Tell me everything about index vectors in R')
    const scroller = page.getByRole('region', { name: 'Messages' })
    const distanceFromBottom = (): Promise<number> => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)

    // The answer grows past the window's height and the view follows it down.
    await eventually(async () => {
      const overflow = await scroller.evaluate((el) => el.scrollHeight - el.clientHeight)
      if (overflow < 600) throw new Error(`the stream is only ${overflow}px past the window`)
    }, 20_000, 'a long stream')
    if ((await distanceFromBottom()) > 48) throw new Error('the view does not follow the stream')

    // Scrolling up stops the follow: the view stays where the reader put it while text keeps coming.
    await scroller.hover()
    await page.mouse.wheel(0, -400)
    const jump = page.getByRole('button', { name: /Jump to latest/ })
    await jump.waitFor()
    const stayedAt = await scroller.evaluate((el) => el.scrollTop)
    const lengthThen = (await answers(page).last().textContent())?.length ?? 0
    await page.waitForTimeout(600)
    if (((await answers(page).last().textContent())?.length ?? 0) <= lengthThen) throw new Error('the stream stopped; nothing to follow')
    expectEqual(await scroller.evaluate((el) => el.scrollTop), stayedAt, 'the scroll position while reading')

    await jump.click()
    await eventually(async () => {
      if ((await distanceFromBottom()) > 48) throw new Error('not at the bottom')
    }, 5_000, 'the jump to the latest text')
    await jump.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: /Stop/ }).click()
    const stopped = await finishedAnswer(page, 4)
    expectEqual(await stopped.getAttribute('data-message-status'), 'stopped', 'the stopped answer')
    await stopped.getByText('Stopped: the answer was cut short.').waitFor()
    if (((await stopped.locator('.markdown').textContent()) ?? '').length < 100) throw new Error('the stopped answer lost its text')
    fake.set({ reply: citingReply, firstTokenDelayMs: 300, tokenDelayMs: 40 })
  })

  it('opens a search hit at the message found, outlined, with the words found marked', async () => {
    const { page } = pages[0]
    const scroller = page.getByRole('region', { name: 'Messages' })
    const distanceFromBottom = (): Promise<number> => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)
    if ((await distanceFromBottom()) > 48) throw new Error('the chat is not at its latest answer')

    // The words run across a citation chip: the search reads the answer without its markers.
    await page.getByRole('searchbox', { name: 'Search all chats' }).fill('into a vector. Then logical')
    // The results of the last test's search stay until this one's arrive.
    const hits = page.getByRole('navigation', { name: 'Search results' }).getByRole('button').filter({ hasText: 'into a vector. Then logical' })
    // The first hit is this chat's first answer, far above the long one on screen.
    await hits.first().click()
    const found = page.locator('.message-found')
    await found.locator('article.message-assistant').waitFor()
    await eventually(async () => {
      const [row, view] = await Promise.all([found.boundingBox(), scroller.boundingBox()])
      if (!row || !view || row.y < view.y || row.y + Math.min(row.height, 100) > view.y + view.height) throw new Error(`the message is not in view: ${JSON.stringify({ row, view })}`)
    }, 5_000, 'the message found in view')
    if ((await distanceFromBottom()) < 200) throw new Error('the view stayed at the latest answer')
    await page.getByRole('button', { name: /Jump to latest/ }).waitFor()
    expectEqual(await page.locator('.message-found').count(), 1, 'messages outlined')
    const marked = await page.evaluate(() => [...(CSS.highlights.get('documind-found') ?? [])].map((range) => (range as Range).toString().replace(/\s+/g, ' ')))
    expectEqual(marked.length, 1, `marks (${JSON.stringify(marked)})`)
    if (!/^into a vector 1?\. ?Then logical$/.test(marked[0])) throw new Error(`the mark covers "${marked[0]}"`)
  })

  it('exports a chat as Markdown and deletes a chat after asking', async () => {
    const { page } = pages[0]
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as Markdown' }).click()])
    if (!download.suggestedFilename().endsWith('.md')) throw new Error(`the export is named ${download.suggestedFilename()}`)
    const markdown = await readFile(await download.path(), 'utf8')
    for (const expected of ['How do I create a vector in R?', 'R-intro.pdf']) {
      if (!markdown.includes(expected)) throw new Error(`the export lacks "${expected}"`)
    }

    // Escape clears the search, and the chat list comes back.
    await page.getByRole('searchbox', { name: 'Search all chats' }).press('Escape')
    const list = page.getByRole('navigation', { name: 'Chats', exact: true })
    await list.getByText('What is 7z?').click()
    await page.getByRole('heading', { name: 'What is 7z?' }).waitFor()
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await list.getByText('What is 7z?').waitFor({ state: 'detached' })
    // The window moves to the remaining chat, showing its latest answer (the list is virtualised:
    // only what is on screen is in the page).
    await page.getByRole('heading', { name: 'How do I create a vector in R?' }).waitFor()
    await page.locator('article[data-message-status="stopped"]').waitFor()
  })

  it('reconnects a window whose connection dropped: it shows what it missed, follows the room again, and leaves it when it is deleted', async () => {
    const { page } = pages[0]
    await page.getByRole('button', { name: '+ New chat' }).click()
    await ask(page, 'What is 7z?')
    await finishedAnswer(page, 1)
    const roomUrl = page.url()

    // A third window whose WebSocket passes through a switch the test can open: the real host is
    // on the other side; only the wire is cut.
    let cut = false
    const wires: WebSocketRoute[] = []
    const third = await openPage(browser, roomUrl, {
      beforeGoto: (p) =>
        p.routeWebSocket(/\/ws\?token=/, (wire) => {
          if (cut) return void wire.close()
          wire.connectToServer()
          wires.push(wire)
        })
    })
    pages.push(third)
    await eventually(async () => expectEqual(await answers(third.page).count(), 1, 'answers in the third window'), 15_000, 'the room in the third window')

    cut = true
    await wires.at(-1)?.close()
    await third.page.getByText('The connection to DocuMind was lost. Reconnecting…').waitFor()
    // While it is away, the room moves on.
    await ask(page, 'How do I extract a 7z archive?')
    await finishedAnswer(page, 2)

    cut = false
    await third.page.getByText('The connection to DocuMind was lost. Reconnecting…').waitFor({ state: 'detached', timeout: 20_000 })
    await eventually(async () => expectEqual(await answers(third.page).count(), 2, 'answers after reconnecting'), 15_000, 'what the third window missed')
    await questions(third.page).nth(1).getByText('How do I extract a 7z archive?').waitFor()

    // And it is back in the room: the next answer streams to it.
    await ask(page, 'Which archive types does 7z support?')
    await third.page.locator('article[data-message-status="streaming"] .markdown').waitFor({ timeout: 10_000 })
    await finishedAnswer(third.page, 3)

    // Deleted in one window, the chat leaves the other too, for the chat that remains.
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await third.page.getByRole('heading', { name: 'How do I create a vector in R?' }).waitFor({ timeout: 10_000 })
  })
})
