/**
 * Rules of the Electron layering that no type checker sees: the core and the contract never load
 * Electron; IPC channel names are never written by hand outside the contract; and the built
 * sandboxed preload requires nothing but 'electron', since a sandboxed preload cannot load any
 * other module and would fail only at run time, in a window this machine cannot open.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve('.')

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name)).map((e) => join(e.parentPath, e.name))
}

describe('layering', () => {
  it('keeps Electron out of the core, the workers and the contract', async () => {
    const offenders: string[] = []
    for (const dir of ['src/core', 'src/workers', 'src/shared']) {
      for (const file of await sourcesUnder(dir)) {
        if (/from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/.test(await readFile(file, 'utf8'))) offenders.push(file)
      }
    }
    expect(offenders).toEqual([])
  })

  it('writes no IPC channel name outside the contract', async () => {
    const offenders: string[] = []
    for (const file of [...(await sourcesUnder('src/main')), ...(await sourcesUnder('src/preload'))]) {
      const text = await readFile(file, 'utf8')
      if (/\b(ipcMain|ipcRenderer)\.\w+\(\s*['"`]|\.send\(\s*['"`]|documind:/.test(text)) offenders.push(file)
    }
    expect(offenders).toEqual([])
  })

  it.skipIf(!existsSync(join(root, 'out', 'preload', 'index.cjs')))('builds a preload that requires only electron', async () => {
    const bundle = await readFile(join(root, 'out', 'preload', 'index.cjs'), 'utf8')
    const required = new Set([...bundle.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]))
    expect([...required]).toEqual(['electron'])
    expect(bundle).not.toMatch(/^\s*(import|export)\s/m)
  })
})
