/**
 * The way back from a damaged index, in a browser against the real `documind serve`: the data
 * files of the library's chunk table are cut short on disk; asking then says the index is damaged
 * and where to rebuild it; "Rebuild the index" in the Library view (after confirming) reads every
 * document again, and the same question is answered from them with citations.
 */
import { mkdtempSync, readdirSync, truncateSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, it } from 'vitest'
import { dropFiles } from './support/drop'
import { citingReply } from './support/replies'
import { useServedApp } from './support/session'
import { answers, ask, eventually, expectEqual, finishedAnswer, openView } from './support/ui'

const CORPUS = join(import.meta.dirname, '../../../shared/data/corpus-mini')
const DROPPED = ['pdf/R-intro.pdf', 'html/appetite.html', 'md/tldr/en/7z.md'].map((path) => join(CORPUS, path))

describe('a damaged index, repaired from the Library view', () => {
  const libraryDir = mkdtempSync(join(tmpdir(), 'documind-repair-'))
  afterAll(() => rm(libraryDir, { recursive: true, force: true }))
  const session = useServedApp('library-repair', { fake: { reply: citingReply }, libraryDir })

  it('says the index is damaged, rebuilds it after asking, and answers again', async () => {
    const { page } = session.pages[0]
    await openView(page, 'Library')
    await page.getByText('No documents yet.').waitFor()
    // Nothing to rebuild in an empty library.
    expectEqual(await page.getByRole('button', { name: 'Rebuild the index' }).count(), 0, 'rebuild buttons in an empty library')
    await dropFiles(page, DROPPED)
    const progress = page.getByTestId('import-progress')
    await progress.getByText(/Imported 3 files \(\d+ passages\)/).waitFor({ timeout: 60_000 })

    const data = join(libraryDir, 'db/chunks.lance/data')
    for (const file of readdirSync(data)) truncateSync(join(data, file), 100)

    await openView(page, 'Chats')
    await ask(page, 'How do I create a vector in R?')
    const failed = await finishedAnswer(page, 1)
    await failed.getByText(/damaged.*Rebuild the index in the Library view/).waitFor()

    await openView(page, 'Library')
    await page.getByRole('button', { name: 'Rebuild the index' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('Rebuild the index of all 3 documents from their files?', { exact: false }).waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Rebuild the index' }).click()
    await dialog.getByRole('button', { name: 'Rebuild the index' }).click()
    // The first import's report goes at once (the panel hides, or shows the rebuild running);
    // the rebuild reports on its own when it is done.
    await progress.getByText(/Imported 3 files/).waitFor({ state: 'detached', timeout: 5_000 })
    await progress.getByText(/Imported 3 files \(\d+ passages\)/).waitFor({ timeout: 60_000 })
    await eventually(
      async () => expectEqual(await page.locator('[data-testid="document-row"][data-status="ready"]').count(), 3, 'ready documents'),
      10_000,
      'the rebuilt documents'
    )

    await openView(page, 'Chats')
    await ask(page, 'How do I create a vector in R?')
    const answer = await finishedAnswer(page, 2)
    expectEqual(await answer.getAttribute('data-message-status'), 'complete', 'the answer after rebuilding')
    await answer.locator('.markdown .cite-chip').first().waitFor()
    expectEqual(await answers(page).count(), 2, 'answers')
  })
})
