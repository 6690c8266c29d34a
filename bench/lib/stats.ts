/** Small statistics for latency samples (milliseconds). */

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export function median(samples: number[]): number {
  return percentile(samples, 50)
}

/** How many searches, and their p50 and p95 latency. */
export interface LatencySummary {
  queries: number
  p50_ms: number
  p95_ms: number
}

export function latencySummary(samples: number[]): LatencySummary {
  return { queries: samples.length, p50_ms: median(samples), p95_ms: percentile(samples, 95) }
}

/** Rounds for printing: 2 decimals below 10, 1 below 100, else whole. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value
  const digits = Math.abs(value) < 10 ? 100 : Math.abs(value) < 100 ? 10 : 1
  return Math.round(value * digits) / digits
}

/** A seeded random generator (xorshift32), so synthetic data and query sets are the same every run. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x1_0000_0000
  }
}

/** Cosine distance (1 - cosine similarity), as LanceDB's `cosine` distance type gives it. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
  }
  return 1 - dot / Math.sqrt(na * nb || 1)
}
