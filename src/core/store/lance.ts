import { isMainThread } from 'node:worker_threads'
import { useOwnScratchFolder } from './scratch'

type LanceModule = typeof import('@lancedb/lancedb')

let loading: Promise<LanceModule> | undefined

/**
 * Loads LanceDB once its environment is right (see `LANCE_ENVIRONMENT`). LanceDB reads those
 * variables from the real process environment when it first needs them. The main thread sets
 * them here; worker threads inherit them, because a worker's environment is a copy of the main
 * thread's taken when the worker starts. Every module uses this instead of a static import, so
 * LanceDB can never load before the variables are set.
 */
export function loadLance(): Promise<LanceModule> {
  ensureLanceEnvironment()
  loading ??= import('@lancedb/lancedb')
  return loading
}

/**
 * LanceDB settings the app chooses unless the user has set the variable.
 *
 * - `LANCE_CPU_THREADS`: on 2-core machines the full-text index build waits forever for a worker
 *   thread unless this is at least 2 (lancedb issue #3568). A smaller value set by the user is
 *   raised to 2.
 * - `LANCE_DEFAULT_IO_BUFFER_SIZE` and `LANCE_DEFAULT_BATCH_SIZE`: a scan queues up to 2 GiB of
 *   reads ahead of its consumer (a default sized for cloud storage, which a local disk fills) in
 *   batches of 8,192 rows. Building the vector index scans every vector that way: at 383,948
 *   chunks it peaked the process at 1.06-1.15 GB with the defaults and 0.72-0.76 GB with 64 MiB
 *   and 1,024 rows, in the same 22-24 s. A fold that compacts a 96,000-chunk library peaked at
 *   0.92-0.93 GB in 9.4-10.7 s against 0.53-0.63 GB in 10.7-13.3 s; one of 384,000 at 1.22-1.27
 *   GB in 25-30 s against 1.06-1.09 GB in 22-24 s (two rounds each). Whole imports of the
 *   benchmark corpus and searches were no slower (bench/notes.md, "Later imports").
 */
export const LANCE_ENVIRONMENT = {
  LANCE_CPU_THREADS: '2',
  LANCE_DEFAULT_IO_BUFFER_SIZE: String(64 * 1024 * 1024),
  LANCE_DEFAULT_BATCH_SIZE: '1024'
} as const

/**
 * Sets the variables of `LANCE_ENVIRONMENT` in the main thread where the user has not chosen a
 * value, and gives the process a temporary folder of its own for LanceDB's scratch (scratch.ts).
 */
export function ensureLanceEnvironment(): void {
  if (!isMainThread) return
  useOwnScratchFolder()
  const threads = Number(process.env.LANCE_CPU_THREADS)
  if (!(Number.isFinite(threads) && threads >= 2)) process.env.LANCE_CPU_THREADS = LANCE_ENVIRONMENT.LANCE_CPU_THREADS
  for (const name of ['LANCE_DEFAULT_IO_BUFFER_SIZE', 'LANCE_DEFAULT_BATCH_SIZE'] as const) {
    if (!process.env[name]) process.env[name] = LANCE_ENVIRONMENT[name]
  }
}
