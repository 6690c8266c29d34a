import { isMainThread } from 'node:worker_threads'

type LanceModule = typeof import('@lancedb/lancedb')

let loading: Promise<LanceModule> | undefined

/**
 * Loads LanceDB once its environment is right. On 2-core machines LanceDB's full-text index build
 * waits forever for a worker thread unless LANCE_CPU_THREADS is at least 2 (lancedb issue #3568),
 * and the variable is read from the real process environment when LanceDB first starts its runtime.
 * The main thread sets it here; worker threads inherit it, because a worker's environment is a copy
 * of the main thread's taken when the worker starts. Every module uses this instead of a static
 * import, so LanceDB can never load before the variable is set.
 */
export function loadLance(): Promise<LanceModule> {
  ensureLanceEnvironment()
  loading ??= import('@lancedb/lancedb')
  return loading
}

/** Sets LANCE_CPU_THREADS in the main thread if the user has not chosen a value. */
export function ensureLanceEnvironment(): void {
  const current = Number(process.env.LANCE_CPU_THREADS)
  if (Number.isFinite(current) && current >= 2) return
  if (isMainThread) process.env.LANCE_CPU_THREADS = '2'
}
