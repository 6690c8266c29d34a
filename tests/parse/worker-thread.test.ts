/** The parsers run inside a Node worker thread, where the import pipeline calls them. */
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import workerPath from './parse.worker.ts?modulePath'
import { BAD_INPUTS, CORPUS } from './files.ts'

function parseInWorker(path: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerPath, { workerData: { path } })
    worker.once('message', (message: Record<string, unknown>) => {
      resolve(message)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

describe('parsing in a worker thread', () => {
  it.each([
    ['pdf/R-intro.pdf', { ok: true, format: 'pdf', pageCount: 113, sections: 113 }],
    ['docx/bug65738.docx', { ok: true, format: 'docx' }],
    ['epub/alice.epub', { ok: true, format: 'epub' }],
    ['html/classes.html', { ok: true, format: 'html' }]
  ])('parses %s', async (file, expected) => {
    const result = await parseInWorker(join(CORPUS, file))
    expect(result).toMatchObject(expected)
    expect(result.browserGlobals).toEqual([])
  })

  it('reports a failure as a ParseFailure code across the thread boundary', async () => {
    expect(await parseInWorker(join(BAD_INPUTS, 'truncated.pdf'))).toMatchObject({ ok: false, code: 'corrupt' })
  })
})
