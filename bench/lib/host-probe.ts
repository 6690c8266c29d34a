import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'

/**
 * The probe's work, as plain JavaScript for a thread of its own: an FNV-1a hash of 8 MB, once
 * untimed (the first round runs before the function is compiled), then `rounds` times timed.
 */
const PROBE_SOURCE = `
const { parentPort, workerData: rounds } = require('node:worker_threads')
const bytes = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
function fnv1a() {
  let hash = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193)
  return hash >>> 0
}
let hash = fnv1a()
const started = performance.now()
for (let round = 0; round < rounds; round++) hash = (hash + fnv1a()) >>> 0
parentPort.postMessage({ ms: performance.now() - started, hash })
`

/**
 * How fast the host is at the moment, to set beside latencies measured then: the time, in ms, a
 * fixed piece of work takes one thread (an FNV-1a hash of 8 MB, nine times, in JavaScript,
 * allocating nothing, so that the collector does not enter into it). The whole is timed, not each
 * round, so that waiting for a core (other work on the host) counts. It depends on nothing but
 * the machine and what else runs on it, so a figure that moved between runs while this did not
 * moved for its own reasons.
 *
 * It runs in a fresh worker thread, without the caller's loaders, because a thread's own past
 * changes it: once a thread has detached any ArrayBuffer (transferred one, grown a WebAssembly
 * memory, or loaded a module through tsx, which transfers them), V8 checks every typed-array
 * access for detachment, and on the machine of runs 46 and 47 this loop then took twice as long
 * (106–142 ms, then 179–330).
 */
export function hostProbe(rounds = 9): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PROBE_SOURCE, { eval: true, execArgv: [], workerData: rounds })
    worker.once('message', ({ ms, hash }: { ms: number; hash: number }) => (hash === 0 ? reject(new Error('the host probe computed nothing')) : resolve(ms)))
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the host probe's thread exited (${code}) before it answered`)))
  })
}

/** The machine's CPU time since boot, in clock ticks, from the first line of /proc/stat. */
export interface CpuTicks {
  /** Every state (user, nice, system, idle, iowait, irq, softirq, steal). */
  total: number
  /** Idle and waiting for I/O. */
  idle: number
  /** Taken by the hypervisor for other guests while this machine had work to run. */
  steal: number
}

/** What the machine's cores did over an interval, as shares of all their time, in %. */
export interface HostShare {
  /** Running anything (this process tree or anything else). */
  busy_pct: number
  /**
   * Taken by the hypervisor for other guests while this machine had work to run ("steal"): time
   * lost to the host whatever the work, so a figure measured while it was high is slower for that.
   */
  steal_pct: number
}

/** Parses the aggregate `cpu` line of /proc/stat (see proc(5)); null when there is none. */
export function parseCpuTicks(procStat: string): CpuTicks | null {
  const line = /^cpu\s+(.*)$/m.exec(procStat)
  if (!line) return null
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line[1].trim().split(/\s+/).map(Number)
  const fields = [user, nice, system, idle, iowait, irq, softirq, steal ?? 0]
  if (fields.some((value) => !Number.isFinite(value))) return null
  return { total: fields.reduce((sum, value) => sum + value, 0), idle: idle + iowait, steal: steal ?? 0 }
}

/** The shares between two readings; zeros when no time passed between them. */
export function hostShare(before: CpuTicks, after: CpuTicks): HostShare {
  const total = after.total - before.total
  if (total <= 0) return { busy_pct: 0, steal_pct: 0 }
  const steal = after.steal - before.steal
  return { busy_pct: (100 * (total - (after.idle - before.idle) - steal)) / total, steal_pct: (100 * steal) / total }
}

/** The shares for a progress line ("host busy 86% steal 2.4%"). */
export function describeHost(host: HostShare): string {
  return `host busy ${host.busy_pct.toFixed(0)}% steal ${host.steal_pct.toFixed(1)}%`
}

function readCpuTicks(): CpuTicks | null {
  try {
    return parseCpuTicks(readFileSync('/proc/stat', 'utf8'))
  } catch {
    return null
  }
}

/**
 * Starts watching the machine's cores: the function returned gives their shares since the start
 * (null where /proc/stat cannot be read).
 */
export function watchHost(): () => HostShare | null {
  const before = readCpuTicks()
  return () => {
    const after = readCpuTicks()
    return before && after ? hostShare(before, after) : null
  }
}
