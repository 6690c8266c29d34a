/**
 * An import tells the owner of its pools when every file is read, before the writer builds its
 * indexes (the full-text index, to make the documents searchable, then the vector index), so that the ingest threads' memory can be let go first (see engine.ts).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Piscina } from 'piscina'
import { afterAll, describe, expect, it } from 'vitest'
import ingestWorkerPath from '../../src/workers/ingest.worker?modulePath'
import storeWorkerPath from '../../src/workers/store.worker?modulePath'
import { BUILTIN_SPEC } from '../../src/core/embed/choice'
import { runIngest } from '../../src/core/ingest/coordinator'
import { threadPool } from '../../src/core/threads'
import { tempDir } from './support'

describe('the ingest threads', () => {
  const ingest = threadPool({ filename: ingestWorkerPath, minThreads: 2, maxThreads: 2, concurrentTasksPerWorker: 2 })
  const store = threadPool({ filename: storeWorkerPath, name: 'open', minThreads: 1, maxThreads: 1 })
  afterAll(() => Promise.all([ingest.destroy(), store.destroy()]))

  it('can be let go after the last file is read and before the writer closes', async () => {
    const folder = join(tempDir(), 'notes')
    mkdirSync(folder)
    for (let i = 0; i < 6; i++) writeFileSync(join(folder, `note-${i}.md`), `# Note ${i}\n\nThe kite number ${i} flies over the harbour.\n`)
    const steps: string[] = []
    const loggedStore = { run: (task: unknown, options: { name: string }) => (steps.push(options.name), store.run(task, options)) } as unknown as Piscina
    const summary = await runIngest([folder], {
      ingest,
      store: loggedStore,
      filesRead: async (bytes) => {
        steps.push(`${bytes} bytes read after ${ingest.completed} files`)
        await ingest.destroy()
      }
    }, { libraryDir: join(tempDir(), 'library'), embedder: { kind: 'builtin' }, embedderSpec: BUILTIN_SPEC })

    expect(summary.indexed).toBe(6)
    let bytes = 0
    for (let i = 0; i < 6; i++) bytes += statSync(join(folder, `note-${i}.md`)).size
    const read = `${bytes} bytes read after 6 files`
    expect(steps.filter((step) => step.includes('bytes read'))).toEqual([read])
    expect(steps.slice(-3)).toEqual([read, 'searchable', 'close'])
  })
})
