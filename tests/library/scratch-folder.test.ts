/**
 * LanceDB's vector index builds leave a shuffle folder in the temporary folder (lance issue
 * #8992). DocuMind gives each process a scratch folder of its own, removes what a build left as
 * soon as it is done, the folder when the process exits, and folders of processes that ended
 * without doing so (src/core/store/scratch.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { tempDir } from '../engine/support'

const CHILD = fileURLToPath(new URL('./scratch-child.ts', import.meta.url))
const system = tempDir('documind-scratch-test-')

it('leaves nothing of a vector index build in the temporary folder, and clears what ended processes left', () => {
  // A folder of a process that has ended (it crashed before it could remove it), and one of a
  // process that still runs (this one).
  const ended = spawnSync(process.execPath, ['-e', '']).pid
  const endedFolder = join(system, `documind-scratch-${ended}`, '.tmpAbCdEf')
  mkdirSync(endedFolder, { recursive: true })
  writeFileSync(join(endedFolder, 'shuffle_data.lance'), 'left behind')
  mkdirSync(join(system, `documind-scratch-${process.pid}`))

  const env = { ...process.env, TMPDIR: system, TMP: system, TEMP: system }
  const report = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', CHILD], { env, encoding: 'utf8' })) as {
    tmpdir: string
    folder: string
    indexed: boolean
    afterShipped: string[]
    afterDirect: string[]
  }

  // The child worked in a folder of its own inside the system's.
  expect(dirname(report.folder)).toBe(system)
  expect(report.tmpdir).toBe(report.folder)
  expect(report.indexed).toBe(true)
  // The shipped build left nothing; LanceDB called directly left its shuffle folder. (Once it no
  // longer does, LanceDB has the fix and scratch.ts can go.)
  expect(report.afterShipped).toEqual([])
  expect(report.afterDirect).toHaveLength(1)
  // Once it exited, only the running process's folder is left (and tsx's cache, which ran the child).
  expect(readdirSync(system).filter((name) => !name.startsWith('tsx-'))).toEqual([`documind-scratch-${process.pid}`])
}, 60_000)
