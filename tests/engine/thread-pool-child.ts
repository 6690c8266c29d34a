/**
 * Run by thread-pool.test.ts in a process of its own, since what it guards against aborts the
 * whole process: pools whose threads load a large ES module graph, destroyed at moments spread
 * across that load. `plain` builds the pools with `new Piscina` (to see the abort by hand:
 * `node --import tsx tests/engine/thread-pool-child.ts plain`), `shipped` with threadPool().
 * Prints one JSON line if the process lives to the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Piscina } from 'piscina'
import { threadPool, type PoolOptions } from '../../src/core/threads'

const MODULES = 400
const [mode = 'shipped', roundsArg = '24'] = process.argv.slice(2)
const rounds = Number(roundsArg)
// The threads load plain JavaScript: without tsx's loader (this process's --import) they start 20 times faster.
const newPool = (options: PoolOptions): Piscina => (mode === 'plain' ? new Piscina({ ...options, execArgv: [] }) : threadPool({ ...options, execArgv: [] }))

// An entry that imports MODULES small modules: linking it takes long enough to be cut short.
const dir = mkdtempSync(join(tmpdir(), 'documind-thread-pool-'))
const imports: string[] = []
for (let i = 0; i < MODULES; i++) {
  const exports = Array.from({ length: 30 }, (_, j) => `export const v${j} = ${i + j}; export function f${j}(x) { return x * ${j} }`)
  writeFileSync(join(dir, `m${i}.mjs`), exports.join('\n'))
  imports.push(`import * as m${i} from './m${i}.mjs'`)
}
writeFileSync(join(dir, 'entry.mjs'), `${imports.join('\n')}\nexport default () => ({ modules: ${MODULES}, requireModule: process.features.require_module })\n`)
const filename = join(dir, 'entry.mjs')

try {
  // How long two threads take to load the graph and answer, then pools cut short across that time.
  const started = performance.now()
  const timing = newPool({ filename, minThreads: 2, maxThreads: 2 })
  await timing.run(null)
  const loadMs = performance.now() - started
  await timing.destroy()
  for (let i = 0; i < rounds; i++) {
    const pool = newPool({ filename, minThreads: 2, maxThreads: 2 })
    await sleep((loadMs * 1.2 * i) / rounds)
    await pool.destroy()
  }
  const pool = newPool({ filename, maxThreads: 1 })
  const answer = (await pool.run(null)) as { modules: number; requireModule: boolean }
  await pool.destroy()
  console.log(JSON.stringify({ rounds, loadMs: Math.round(loadMs), ...answer }))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
