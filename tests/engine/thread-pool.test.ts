/**
 * Every Piscina pool is built by threadPool() (src/core/threads.ts), whose threads load their ES
 * module with import(). Loaded with require(), a thread terminated while it links its module graph
 * aborts the whole process on Node 20.19+ ("FATAL ERROR: v8::Module::IsGraphAsync ..."): once in
 * CI it took a vitest fork down, and in the app it would take the app down when an import is let
 * go or the app stops while a thread is still starting.
 */
import { spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CHILD = fileURLToPath(new URL('./thread-pool-child.ts', import.meta.url))

describe('thread pools', () => {
  it('survive being destroyed at any moment while their threads load', () => {
    // The same child with `plain` pools (new Piscina) aborted in 10 runs of 10 on the machine
    // this was written on, each within its 24 rounds.
    const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'shipped', '24'], { encoding: 'utf8', timeout: 120_000 })
    expect(child.stderr).not.toMatch(/FATAL ERROR/)
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null })
    const report = JSON.parse(child.stdout) as { rounds: number; modules: number; requireModule: boolean }
    expect(report).toMatchObject({ rounds: 24, modules: 400, requireModule: false })
  })

  it('are all built by threadPool()', async () => {
    const offenders: string[] = []
    for (const dir of ['src', 'tests', 'bench']) {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true })
      for (const entry of entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name))) {
        const file = join(entry.parentPath, entry.name)
        if (/new Piscina\(/.test(await readFile(file, 'utf8'))) offenders.push(relative('.', file))
      }
    }
    // The one in threads.ts, and the child above, which builds plain pools to show the abort.
    expect(offenders.sort()).toEqual(['src/core/threads.ts', 'tests/engine/thread-pool-child.ts'])
  })
})
