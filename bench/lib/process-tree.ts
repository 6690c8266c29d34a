/**
 * Child processes for the benchmark, each measured from outside: the resident memory of its whole
 * process tree (the child and everything it starts), sampled from /proc, so that every pipeline is
 * measured the same way whatever it does inside (threads, child processes, native allocators).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const PAGE_BYTES = 4096

/** The resident bytes of `root` and all its descendants right now (0 once they are gone). */
export function treeRssBytes(root: number): number {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // The command name may hold spaces and parentheses; the fields after its last ')' do not.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parentOf.set(pid, Number(fields[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = new Set([root])
  let grew = true
  while (grew) {
    grew = false
    for (const [pid, parent] of parentOf) {
      if (!inTree.has(pid) && inTree.has(parent)) {
        inTree.add(pid)
        grew = true
      }
    }
  }
  let pages = 0
  for (const pid of inTree) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1])
    } catch {
      // Gone.
    }
  }
  return pages * PAGE_BYTES
}

export interface ChildRun {
  code: number | null
  stdout: string
  stderr: string
  /** Wall time from spawn to exit. */
  seconds: number
  /** Highest sampled resident memory of the child's process tree. */
  peakRssBytes: number
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv
  /** Sampling period of the memory of the tree; default 100 ms. */
  sampleMs?: number
  /** Called with each stdout chunk as it arrives (for reading a first line early). */
  onStdout?: (chunk: string, child: ChildProcess) => void
  timeoutMs?: number
}

/** Runs a command to completion, sampling its tree's memory meanwhile. */
export function runChild(command: string, args: string[], options: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let peak = 0
    const sample = (): void => {
      if (child.pid) peak = Math.max(peak, treeRssBytes(child.pid))
    }
    const sampler = setInterval(sample, options.sampleMs ?? 100)
    const timeout = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      options.onStdout?.(chunk, child)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', (error) => {
      clearInterval(sampler)
      clearTimeout(timeout)
      reject(error)
    })
    child.once('close', (code) => {
      clearInterval(sampler)
      clearTimeout(timeout)
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, peakRssBytes: peak })
    })
  })
}

/** The last line of a child's stdout that parses as a JSON object. */
export function lastJsonLine<T>(run: ChildRun, what: string): T {
  const lines = run.stdout.trim().split('\n').reverse()
  for (const line of lines) {
    if (!line.startsWith('{')) continue
    try {
      return JSON.parse(line) as T
    } catch {
      // Not this one.
    }
  }
  throw new Error(`${what} printed no result (exit ${run.code}).\n${run.stderr.slice(-3000)}`)
}

/** `node` running a TypeScript file of the benchmark through tsx, in a process of its own. */
export function tsNode(file: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', file, ...args]]
}
