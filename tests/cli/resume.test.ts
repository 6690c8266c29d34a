import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { LibraryReader } from '../../src/core/store/reader'
import { CORPUS, tempDir } from '../engine/support'
import { BUILT, jsonOf, runCli, startCli } from './support'

/** Everything a search could return, in a stable order: (path, ord, page, headings, offsets, text). */
async function libraryContent(libraryDir: string): Promise<{ chunks: string[]; ids: string[]; docs: string[] }> {
  const reader = await LibraryReader.open(libraryDir)
  try {
    const docs = [...(await reader.documentsById()).values()]
    const pathOf = new Map(docs.map((d) => [d.id, d.path]))
    const rows = await (await reader.chunks())!.query().select(['id', 'doc_id', 'ord', 'page', 'headings', 'start', 'end', 'text']).toArray()
    return {
      chunks: rows.map((r) => JSON.stringify([pathOf.get(r.doc_id), r.ord, r.page, r.headings, r.start, r.end, r.text])).sort(),
      ids: rows.map((r) => r.id as string),
      docs: docs.map((d) => `${d.path} ${d.status} ${d.hash} ${d.chunk_count} ${d.error ?? ''}`).sort()
    }
  } finally {
    reader.close()
  }
}

const ROUNDS = Number(process.env.DOCUMIND_KILL_ROUNDS ?? 3)

describe.skipIf(!BUILT)('an import killed midway', () => {
  it(`resumes after ${ROUNDS} SIGKILLs and ends with the same library as an uninterrupted import`, async () => {
    // The whole corpus: long enough an import that many kills land in the middle of it.
    const sources = [CORPUS]
    const reference = join(tempDir(), 'reference')
    const first = jsonOf(await runCli(['ingest', ...sources, '--db', reference, '--json']))
    expect(first.indexed).toBeGreaterThanOrEqual(665)

    const killed = join(tempDir(), 'killed')
    let kills = 0
    let args = ['ingest', ...sources, '--db', killed, '--json']
    const journal = join(killed, 'ingest-queue.jsonl')
    for (let round = 0; round < ROUNDS; round++) {
      const run = startCli(args)
      // Once the queue is on disk (the walk takes milliseconds; a kill before it loses nothing but
      // the command), kill at a random moment: reading, parsing, embedding or writing.
      const queued = Date.now()
      while (!(existsSync(journal) && statSync(journal).size > 0) && Date.now() - queued < 20_000) await delay(20)
      await delay(Math.random() * 1500)
      run.child.kill('SIGKILL')
      const result = await run.done
      if (result.signal === 'SIGKILL') kills++
      // Every later run resumes the queue without being told the paths again.
      args = ['ingest', '--db', killed, '--json']
    }
    console.log(`resume test: ${kills} of ${ROUNDS} runs were killed mid-import`)
    expect(kills).toBeGreaterThan(0)
    const resumed = await runCli(args)
    expect(resumed.code, resumed.stderr).toBe(0)

    const expected = await libraryContent(reference)
    const actual = await libraryContent(killed)
    expect(new Set(actual.ids).size).toBe(actual.ids.length) // no chunk twice
    expect(actual.docs).toEqual(expected.docs)
    expect(actual.chunks).toEqual(expected.chunks)
  }, 300_000)
})
