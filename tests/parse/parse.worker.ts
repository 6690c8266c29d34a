/**
 * A worker thread that parses one file, as the import workers will: plain Node, no DOM, no
 * Electron. Reports what it parsed and whether any browser global was there to lean on.
 */
import { readFile } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { parseDocument } from '../../src/core/parse/index.ts'
import { ParseFailure } from '../../src/core/types.ts'

const { path } = workerData as { path: string }
const browserGlobals = ['window', 'document', 'DOMParser', 'HTMLElement'].filter((name) => name in globalThis)
try {
  const doc = await parseDocument(new Uint8Array(await readFile(path)), path)
  parentPort?.postMessage({ ok: true, format: doc.format, pageCount: doc.pageCount, sections: doc.sections.length, browserGlobals })
} catch (error) {
  parentPort?.postMessage({ ok: false, code: error instanceof ParseFailure ? error.code : String(error), browserGlobals })
}
