/**
 * The app's import state through the stages at an import's end (ImportRunner, src/core/app/imports.ts):
 * an engine scripted to pause at each stage shows what a window sees while the search indexes are
 * brought up to date, then while every document is searchable and the vector index is built.
 */
import { describe, expect, it } from 'vitest'
import { ImportRunner } from '../../src/core/app/imports'
import type { Engine, IngestRequest } from '../../src/core/engine'
import type { IngestEvent, IngestSummary } from '../../src/core/ingest/events'
import { defaultSettings } from '../../src/core/app/settings'
import { ImportStateSchema, type ImportStateValue } from '../../src/shared/contract'
import { tempDir } from '../engine/support'

/** An engine whose ingest emits the given events, waiting for `step()` before each group after the first. */
function scriptedEngine(groups: IngestEvent[][]): { engine: Engine; step: () => void } {
  const gates: Array<() => void> = []
  const ingest = async (_paths: string[], request: IngestRequest = {}): Promise<IngestSummary> => {
    for (const [i, group] of groups.entries()) {
      if (i > 0) await new Promise<void>((resolve) => gates.push(resolve))
      for (const event of group) request.onEvent?.(event)
    }
    return {} as IngestSummary
  }
  const step = (): void => gates.shift()?.()
  return { engine: { ingest } as unknown as Engine, step }
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(check()).toBe(true)
}

describe('the import state', () => {
  it('goes from reading to indexing to searchable, and ends idle', async () => {
    const { engine, step } = scriptedEngine([
      [
        { type: 'queued', filesTotal: 2, bytesTotal: 200 },
        { type: 'file', path: '/a.md', outcome: 'indexed', chunks: 3 },
        { type: 'progress', filesDone: 1, filesTotal: 2, bytesDone: 100, bytesTotal: 200, chunks: 3, current: [{ path: '/b.md', fraction: 0.5 }] }
      ],
      [
        { type: 'file', path: '/b.md', outcome: 'indexed', chunks: 4 },
        { type: 'progress', filesDone: 2, filesTotal: 2, bytesDone: 200, bytesTotal: 200, chunks: 7, current: [] },
        { type: 'stage', stage: 'indexing' }
      ],
      [{ type: 'stage', stage: 'searchable' }],
      []
    ])
    const sent: ImportStateValue[] = []
    /** The stage of the import when each `library.changed` was sent. */
    const changed: string[] = []
    const runner = new ImportRunner({
      engine,
      libraryDir: tempDir(),
      settings: () => defaultSettings({}),
      broadcast: (name, payload) => {
        if (name === 'import.state') sent.push(payload as ImportStateValue)
        if (name === 'library.changed') changed.push(runner.snapshot().stage)
      }
    })
    runner.import(['/a.md', '/b.md'])
    await until(() => runner.snapshot().filesDone === 1)
    expect(runner.snapshot()).toMatchObject({ running: true, stage: 'reading', current: [{ path: '/b.md', fraction: 0.5 }] })

    step()
    await until(() => runner.snapshot().stage === 'indexing')
    expect(runner.snapshot()).toMatchObject({ running: true, filesDone: 2, indexed: 2, chunks: 7, current: [] })
    // The document list is refreshed at once, not a throttle's second after the last file.
    expect(changed).toContain('indexing')

    step()
    await until(() => runner.snapshot().stage === 'searchable')
    expect(runner.snapshot().running).toBe(true)
    expect(changed).toContain('searchable')
    // Windows are sent it too (within the throttle's tenth of a second).
    await until(() => sent.some((state) => state.running && state.stage === 'searchable'))

    step()
    await until(() => !runner.snapshot().running)
    await runner.close()
    // Every state a window was sent is one the contract allows, and the last says the import ended.
    for (const state of sent) ImportStateSchema.parse(state)
    expect(sent.at(-1)).toMatchObject({ running: false, indexed: 2, chunks: 7 })
  })

  it('counts files found unchanged with the skipped copies, so that a second drop of the same files says so', async () => {
    const { engine } = scriptedEngine([
      [
        { type: 'queued', filesTotal: 4, bytesTotal: 400 },
        { type: 'file', path: '/a.md', outcome: 'unchanged' },
        { type: 'file', path: '/b.md', outcome: 'unchanged' },
        { type: 'file', path: '/copy-of-c.md', outcome: 'skipped', reason: 'copy-of-c.md is a copy of c.md, which is in the library.' },
        { type: 'file', path: '/d.md', outcome: 'indexed', chunks: 2 },
        { type: 'progress', filesDone: 4, filesTotal: 4, bytesDone: 400, bytesTotal: 400, chunks: 2, current: [] }
      ]
    ])
    const runner = new ImportRunner({ engine, libraryDir: tempDir(), settings: () => defaultSettings({}), broadcast: () => undefined })
    runner.import(['/a.md', '/b.md', '/copy-of-c.md', '/d.md'])
    await until(() => !runner.snapshot().running)
    await runner.close()
    expect(runner.snapshot()).toMatchObject({ indexed: 1, skipped: 3, failures: [] })
  })
})
