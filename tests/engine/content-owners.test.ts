import { describe, expect, it } from 'vitest'
import { ContentOwners } from '../../src/core/ingest/owners'
import type { KnownDocument } from '../../src/core/store/writer'

function row(path: string, hash: string, status: KnownDocument['status'] = 'ready'): KnownDocument {
  return { id: path, path, size: 10, mtime: 1, hash, status, created_at: 1 }
}

/** Whether `promise` is still pending after everything already queued has run. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  void promise.then(() => (settled = true))
  await new Promise((resolve) => setImmediate(resolve))
  return !settled
}

describe('which file holds a content during an import', () => {
  it('makes a copy wait for a library file being read again, and names it once it is found unchanged', async () => {
    const owners = new ContentOwners()
    owners.learn([row('/a.md', 'h1'), row('/gone.md', 'h2', 'failed')], new Set(['/a.md']))
    expect(owners.isQueued('/a.md')).toBe(true)
    owners.reading('/a.md')
    const asked = owners.ownerOf('h1', '/copy.md')
    expect(await pending(asked)).toBe(true)
    owners.settle('/a.md', 'h1')
    expect(await asked).toBe('/a.md')
    expect(await owners.ownerOf('h2', '/copy.md')).toBeNull()
  })

  it('lets the copy keep the content once the file it waited for is found changed', async () => {
    const owners = new ContentOwners()
    owners.learn([row('/a.md', 'old')], new Set(['/a.md']))
    owners.reading('/a.md')
    const asked = owners.ownerOf('old', '/copy.md')
    owners.release('/a.md')
    owners.claim('/a.md', 'new')
    expect(await asked).toBeNull()
    owners.claim('/copy.md', 'old')
    owners.settle('/copy.md', 'old')
    owners.settle('/a.md', 'new')
    expect(await owners.ownerOf('old', '/another copy.md')).toBe('/copy.md')
    expect(await owners.ownerOf('new', '/another copy.md')).toBe('/a.md')
  })

  it('does not wait for a file not yet handed to the pool, nor on a file not read again', async () => {
    const owners = new ContentOwners()
    owners.learn([row('/queued.md', 'h1'), row('/kept.md', 'h2')], new Set(['/queued.md']))
    expect(await owners.ownerOf('h1', '/copy.md')).toBeNull()
    expect(await owners.ownerOf('h2', '/copy.md')).toBe('/kept.md')
    expect(owners.isQueued('/kept.md')).toBe(false)
  })

  it('names one owner of two files that came to hold the same content, whichever asks', async () => {
    const owners = new ContentOwners()
    owners.claim('/first.md', 'h')
    owners.settle('/first.md', 'h')
    owners.claim('/second.md', 'h')
    owners.settle('/second.md', 'h')
    expect(await owners.ownerOf('h', '/first.md')).toBeNull()
    // The first one is written meanwhile: that does not make it the later holder.
    owners.wrote('/first.md', 'h')
    expect(await owners.ownerOf('h', '/second.md')).toBe('/first.md')
  })

  it('forgets a file found failed, and does not bring back a content its file has left', async () => {
    const owners = new ContentOwners()
    owners.learn([row('/a.md', 'old')], new Set(['/a.md']))
    owners.reading('/a.md')
    owners.settle('/a.md', null)
    owners.learn([row('/a.md', 'old')], new Set(['/a.md']))
    expect(await owners.ownerOf('old', '/copy.md')).toBeNull()
  })
})
