import { performance } from 'node:perf_hooks'

const BYTES = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 2_654_435_761) >>> 24)

/**
 * How fast the host is at the moment, to set beside latencies measured then: the time, in ms, a
 * fixed piece of work takes one thread (an FNV-1a hash of 8 MB, nine times, in JavaScript,
 * allocating nothing, so that the collector does not enter into it). The whole is timed, not each
 * round, so that waiting for a core (other work on the host) counts. It depends on nothing but
 * the machine and what else runs on it, so a figure that moved between runs while this did not
 * moved for its own reasons.
 */
export function hostProbe(rounds = 9): number {
  // Once untimed: the first round runs before the function is compiled.
  let hash = fnv1a(BYTES)
  const started = performance.now()
  for (let round = 0; round < rounds; round++) hash = (hash + fnv1a(BYTES)) >>> 0
  const ms = performance.now() - started
  if (hash === 0) throw new Error('the host probe computed nothing')
  return ms
}

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193)
  return hash >>> 0
}
