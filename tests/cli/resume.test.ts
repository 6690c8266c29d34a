import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { unpackPassage } from '../../src/core/store/passage'
import { LibraryReader } from '../../src/core/store/reader'
import { CORPUS, tempDir } from '../engine/support'
import { BUILT, jsonOf, runCli, startCli } from './support'

/** Everything a search could return, in a stable order: (path, ord, page, headings, offsets, text). */
async function libraryContent(libraryDir: string): Promise<{ chunks: string[]; ids: string[]; docs: string[] }> {
  const reader = await LibraryReader.open(libraryDir)
  try {
    const docs = [...(await reader.documentsById()).values()]
    const pathOf = new Map(docs.map((d) => [d.id, d.path]))
    const rows = (await (await reader.chunks())!.query().select(['ord', 'passage']).toArray()).map((r) => ({ ord: r.ord as number, ...unpackPassage(r.passage as string) }))
    return {
      chunks: rows.map((r) => JSON.stringify([pathOf.get(r.doc_id), r.ord, r.page, r.headings, r.start, r.end, r.text])).sort(),
      ids: rows.map((r) => r.id),
      docs: docs.map((d) => `${d.path} ${d.status} ${d.hash} ${d.chunk_count} ${d.error ?? ''}`).sort()
    }
  } finally {
    reader.close()
  }
}

/**
 * What a user sees on restarting after a kill: the library opens; every document listed as ready
 * has all of its chunks (at its version) and no other document's chunks can be found; no chunk is
 * there twice; a search answers, from ready documents only. Returns how many documents are ready.
 */
async function checkAfterKill(libraryDir: string, round: number): Promise<number> {
  const reader = await LibraryReader.open(libraryDir)
  let ready: Array<{ id: string; hash: string; path: string; chunk_count: number }>
  try {
    ready = [...(await reader.documentsById()).values()].filter((d) => d.status === 'ready')
    const table = await reader.chunks()
    const rows = table ? await table.query().select(['id', 'doc_id', 'doc_hash']).toArray() : []
    const written = new Map<string, number>()
    for (const row of rows) written.set(`${row.doc_id} ${row.doc_hash}`, (written.get(`${row.doc_id} ${row.doc_hash}`) ?? 0) + 1)
    for (const doc of ready) expect(written.get(`${doc.id} ${doc.hash}`) ?? 0, `round ${round}: chunks of ${doc.path}`).toBe(doc.chunk_count)
    const readyKeys = new Set(ready.map((d) => `${d.id} ${d.hash}`))
    const visible = rows.filter((row) => readyKeys.has(`${row.doc_id} ${row.doc_hash}`)).map((row) => row.id as string)
    expect(new Set(visible).size, `round ${round}: a chunk twice`).toBe(visible.length)
  } finally {
    reader.close()
  }
  const search = await runCli(['search', 'vector', '--db', libraryDir, '--json'])
  expect(search.code, `round ${round}: search after the kill: ${search.stderr}`).toBe(0)
  const readyPaths = new Set(ready.map((d) => d.path))
  const hits = (jsonOf(search).hits as Array<{ path: string }>) ?? []
  for (const hit of hits) expect(readyPaths.has(hit.path), `round ${round}: a hit from ${hit.path}, which is not ready`).toBe(true)
  return ready.length
}

async function readyCount(libraryDir: string): Promise<number> {
  if (!existsSync(join(libraryDir, 'db/documents.lance'))) return 0
  const reader = await LibraryReader.open(libraryDir)
  try {
    return [...(await reader.documentsById()).values()].filter((d) => d.status === 'ready').length
  } finally {
    reader.close()
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not so after ${timeoutMs} ms`)
    await delay(50)
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
    const expected = await libraryContent(reference)
    const expectedReady = await readyCount(reference)
    // Kills land at a random moment within the first 60% of the time the import took.
    const killWindowMs = Number(first.seconds) * 1000 * 0.6

    const expectSameAsReference = async (libraryDir: string): Promise<void> => {
      const actual = await libraryContent(libraryDir)
      expect(new Set(actual.ids).size).toBe(actual.ids.length) // no chunk twice
      expect(actual.docs).toEqual(expected.docs)
      expect(actual.chunks).toEqual(expected.chunks)
    }

    let kills = 0
    let imports = 1
    const readyAfterKills: number[] = []
    let killed = join(tempDir(), 'killed-1')
    let args = ['ingest', ...sources, '--db', killed, '--json']
    while (kills < ROUNDS) {
      const run = startCli(args)
      // Once the queue is on disk (the walk takes milliseconds; a kill before it loses nothing but
      // the command), kill at a random moment: while files are read, parsed, embedded or
      // written, before or after a commit, or while the indexes are built.
      const journal = join(killed, 'ingest-queue.jsonl')
      const queued = Date.now()
      while (!(existsSync(journal) && statSync(journal).size > 0) && Date.now() - queued < 20_000) await delay(20)
      // The first kill of an import waits for a committed document, so that the checks after it
      // see finished and unfinished documents side by side.
      if (args[1] !== '--db') await until(async () => (await readyCount(killed)) > 0, 60_000)
      await delay(Math.random() * killWindowMs)
      run.child.kill('SIGKILL')
      const result = await run.done
      if (result.signal === 'SIGKILL') {
        kills++
        const ready = await checkAfterKill(killed, kills)
        // The queue resumes: nothing finished before a kill is undone by the next.
        if (readyAfterKills.length && args[1] === '--db') expect(ready).toBeGreaterThanOrEqual(readyAfterKills.at(-1)!)
        readyAfterKills.push(ready)
        // Every later run resumes the queue without being told the paths again.
        args = ['ingest', '--db', killed, '--json']
      } else {
        // The import finished before the kill: it must equal the reference; the next kills go
        // to a new import.
        expect(result.code, result.stderr).toBe(0)
        await expectSameAsReference(killed)
        imports++
        killed = join(tempDir(), `killed-${imports}`)
        args = ['ingest', ...sources, '--db', killed, '--json']
      }
    }
    console.log(
      `resume test: ${kills} SIGKILLs mid-import over ${imports} import(s); documents ready after each kill: ${readyAfterKills.join(', ')} of ${expectedReady}`
    )
    expect(Math.max(...readyAfterKills)).toBeGreaterThan(0)
    const resumed = await runCli(args)
    expect(resumed.code, resumed.stderr).toBe(0)
    await expectSameAsReference(killed)
  }, 120_000 + ROUNDS * 30_000)
})
