/**
 * LanceDB's scratch folders. Building a vector index shuffles the vectors through a folder that
 * LanceDB makes in the system's temporary folder and, in the version DocuMind ships, never removes
 * (lance issue #8992): one folder per build, about as large as the index's codes (about 64 MB
 * for the benchmark corpus's 96,187 chunks, 665 MB for a 1M-chunk library). Nothing empties a
 * temporary folder on Windows, and on Linux and macOS only a reboot or an age limit does, so
 * large imports would leave hundreds of megabytes behind.
 *
 * LanceDB takes the folder from the process environment (`TMPDIR`, or `TMP` and `TEMP` on
 * Windows), and so does everything else in the process. So the main thread points those at a
 * folder of this process's own inside the system's temporary folder (`useOwnScratchFolder`); the
 * writer removes what a build left there as soon as it is done (`removingLanceScratch`); the whole
 * folder goes when the process exits, and a folder left by a process that crashed goes when the
 * next one starts.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { isRunning } from '../processes'

const PREFIX = 'documind-scratch-'
const OWN_NAME = `${PREFIX}${process.pid}`
const SCRATCH_NAME = new RegExp(`^${PREFIX}(\\d+)$`)
/** The files of one of LanceDB's shuffle folders (`shuffle_data.lance`, `shuffle_offsets.spill`, ...). */
const SHUFFLE_FILE = /^shuffle_/

let tried = false

/**
 * Points the process's temporary folder at a folder of its own (see above), once. Where none can
 * be made (the system's is not writable) everything is left as it was. Main thread only, before
 * LanceDB loads: workers copy the environment when they start.
 */
export function useOwnScratchFolder(): void {
  if (tried) return
  tried = true
  // A process started by one of ours (the launcher starts the app) shares the same system folder.
  const current = tmpdir()
  const system = SCRATCH_NAME.test(basename(current)) ? dirname(current) : current
  const folder = join(system, OWN_NAME)
  try {
    removeFoldersOfEndedProcesses(system)
    rmSync(folder, { recursive: true, force: true }) // a process that had this id before
    mkdirSync(folder, { recursive: true, mode: 0o700 })
  } catch {
    return
  }
  for (const name of process.platform === 'win32' ? ['TMP', 'TEMP'] : ['TMPDIR']) process.env[name] = folder
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }))
}

/** This process's scratch folder, as seen from any thread (a worker's environment may predate it). */
export function ownScratchFolder(): string {
  const current = tmpdir()
  return basename(current) === OWN_NAME ? current : join(current, OWN_NAME)
}

/**
 * Runs `build` (a LanceDB vector index build) and removes the shuffle folders that appeared in
 * this process's scratch folder while it ran. A process has one writer (the app, the command
 * line), so no other build is using them.
 */
export async function removingLanceScratch<T>(build: () => Promise<T>): Promise<T> {
  const folder = ownScratchFolder()
  const before = new Set(entries(folder))
  try {
    return await build()
  } finally {
    for (const name of entries(folder)) {
      if (before.has(name) || !name.startsWith('.tmp')) continue
      const path = join(folder, name)
      const files = entries(path)
      if (files.length > 0 && files.every((file) => SHUFFLE_FILE.test(file))) rmSync(path, { recursive: true, force: true })
    }
  }
}

function entries(folder: string): string[] {
  try {
    return readdirSync(folder)
  } catch {
    return []
  }
}

function removeFoldersOfEndedProcesses(system: string): void {
  for (const name of entries(system)) {
    const pid = Number(SCRATCH_NAME.exec(name)?.[1])
    if (pid && pid !== process.pid && !isRunning(pid)) rmSync(join(system, name), { recursive: true, force: true })
  }
}
