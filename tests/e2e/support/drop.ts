/**
 * Drops real files on the page the way a user's drag does: the bytes are read here, turned into
 * File objects inside the page, put into a DataTransfer, and dragenter/dragover/drop are dispatched
 * on the window's content, so the app's own drop handling runs.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Page } from 'playwright-core'

export async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const files = await Promise.all(paths.map(async (path) => ({ name: basename(path), base64: (await readFile(path)).toString('base64') })))
  await page.evaluate((files) => {
    const transfer = new DataTransfer()
    for (const { name, base64 } of files) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      transfer.items.add(new File([bytes], name))
    }
    const target = document.querySelector('main') ?? document.body
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }
  }, files)
}
