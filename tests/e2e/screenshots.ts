/**
 * Takes the README's screenshots into docs/screenshots/: the library, a chat with citations,
 * settings, and the 繁體中文 UI (in the dark theme). It drives the real `documind serve` with a
 * fake Ollama server, like the e2e tests. Run after a build:
 *
 *   npx electron-vite build && npx tsx tests/e2e/screenshots.ts
 *
 * Chinese text needs a CJK font (Debian: fonts-noto-cjk).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startFakeOllama } from '../support/fake-ollama'
import { launchBrowser, openPage } from './support/browser'
import { dropFiles } from './support/drop'
import { citingReply, sourcesIn } from './support/replies'
import type { FakeChatMessage } from '../support/fake-ollama'
import { REPO_ROOT, startServe } from './support/serve'
import { ask, citationPanelPage, eventually, expectEqual, finishedAnswer, openView } from './support/ui'

const CORPUS = join(REPO_ROOT, '../shared/data/corpus-mini')
const OUT = join(REPO_ROOT, 'docs/screenshots')
const FILES = [
  'pdf/R-intro.pdf',
  'pdf/maint-guide.zh-tw.pdf',
  'html/appetite.html',
  'html/classes.html',
  'docx/sample.docx',
  'epub/alice.epub',
  'md/tldr/en/7z.md',
  'md/tldr/en/aria2c.md',
  'md/trpl-zh-tw/src/ch04-01-what-is-ownership.md',
  'md/trpl-zh-tw/src/ch08-01-vectors.md'
]

/** The e2e reply, and for the follow-up about missing values a reply of its own, so the chat reads like one. */
function screenshotReply(messages: FakeChatMessage[]): string {
  const prompt = messages.at(-1)?.content ?? ''
  if (!/Question: What does R do with missing values/.test(prompt)) return citingReply(messages)
  const [a, b] = sourcesIn(messages)
  return `R marks a missing value as \`NA\`. Arithmetic on \`NA\` gives \`NA\` again, and \`is.na(x)\` tells which elements are missing [${a?.n ?? 1}].\n\nTo drop them, index with the negation: \`x[!is.na(x)]\` [${b?.n ?? 1}].`
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true })
  const fake = await startFakeOllama({ reply: screenshotReply })
  const app = await startServe({ ollamaUrl: fake.url })
  const browser = await launchBrowser()
  try {
    const { page } = await openPage(browser, app.url)
    await openView(page, 'Library')
    await page.getByText('No documents yet.').waitFor()
    await dropFiles(page, [...FILES.map((f) => join(CORPUS, f)), join(REPO_ROOT, '../shared/data/bad-inputs/truncated.pdf')])
    await page.getByText(/Imported \d+ files/).waitFor({ timeout: 90_000 })
    await eventually(async () => expectEqual(await page.getByTestId('document-row').count(), FILES.length + 1, 'rows'), 10_000)
    await page.screenshot({ path: join(OUT, 'library.png') })

    await openView(page, 'Chats')
    await ask(page, 'How do I create a vector in R?')
    await finishedAnswer(page, 1)
    await ask(page, 'What does R do with missing values?')
    const answer = await finishedAnswer(page, 2)
    await answer.locator('.markdown .cite-chip').first().click()
    await citationPanelPage(page)
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(OUT, 'chat-with-citations.png') })

    await openView(page, 'Settings')
    await page.getByTestId('ollama-status').getByText(/Connected/).waitFor()
    await page.getByRole('textbox', { name: 'Download a model' }).fill('qwen2.5:7b')
    await page.screenshot({ path: join(OUT, 'settings.png') })

    const zh = await openPage(browser, app.url, { locale: 'zh-TW', colorScheme: 'dark' })
    await openView(zh.page, '對話')
    await zh.page.getByRole('button', { name: '+ 新對話' }).click()
    await ask(zh.page, '如何建立 Debian 套件？')
    const zhAnswer = await finishedAnswer(zh.page, 1)
    await zhAnswer.locator('.markdown .cite-chip').first().click()
    await citationPanelPage(zh.page)
    await zh.page.mouse.move(0, 0)
    await zh.page.screenshot({ path: join(OUT, 'zh-TW.png') })
    console.log(`Screenshots saved in ${OUT}`)
  } finally {
    await browser.close()
    await app.stop()
    await fake.close()
  }
}

await main()
