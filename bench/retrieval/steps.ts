/**
 * Where the benchmark's searches spent their time, so that a missed latency target says why: when
 * each step of a search ended (the engine's `SearchSteps`), which searches held a garbage
 * collection of their own thread, and which questions hold CJK text (a keyword query of many
 * terms, see src/core/text/analyze.ts). The slowest searches are set beside all of them.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import type { SearchSteps } from '../../src/core/retrieval/hybrid'
import { hasCjk } from '../../src/core/text/analyze'
import { latencySummary, median, type LatencySummary } from '../lib/stats'

/** One timed search: its start and length on `performance.now()`'s clock, and its steps. */
export interface TimedSearch {
  query: string
  started: number
  ms: number
  steps: SearchSteps
}

/** The median end of each step, in ms after the search began, over some searches. */
export interface StepFigures {
  searches: number
  /** Of them, questions holding CJK text. */
  cjk: number
  /** Of them, searches during which their thread's garbage collector ran. */
  with_gc: number
  /** Of them, searches whose keyword leg came back after the vector leg (so held the search up). */
  keyword_last: number
  settings_ms: number
  embedding_ms: number
  keyword_ms: number
  vector_ms: number
  winners_ms: number
}

export interface SearchBreakdown {
  all: StepFigures
  /** The slowest 5% (at least one): the searches above the p95. */
  slowest: StepFigures
  /** Latency of the questions with CJK text, and of the others. */
  cjk: LatencySummary
  other: LatencySummary
}

/** Records the thread's garbage collections from now until `stop`. */
export function watchCollections(): { overlaps: (search: TimedSearch) => boolean; stop: () => void } {
  const collections: PerformanceEntry[] = []
  const observer = new PerformanceObserver((list) => collections.push(...list.getEntries()))
  observer.observe({ entryTypes: ['gc'] })
  return {
    overlaps: (search) => collections.some((gc) => gc.startTime < search.started + search.ms && gc.startTime + gc.duration > search.started),
    stop: () => observer.disconnect()
  }
}

export function breakdown(searches: TimedSearch[], heldGc: (search: TimedSearch) => boolean): SearchBreakdown {
  const bySpeed = [...searches].sort((a, b) => b.ms - a.ms)
  const slowest = bySpeed.slice(0, Math.max(1, Math.ceil(searches.length * 0.05)))
  const latency = (some: TimedSearch[]) => latencySummary(some.map((s) => s.ms))
  return {
    all: stepFigures(searches, heldGc),
    slowest: stepFigures(slowest, heldGc),
    cjk: latency(searches.filter((s) => hasCjk(s.query))),
    other: latency(searches.filter((s) => !hasCjk(s.query)))
  }
}

function stepFigures(searches: TimedSearch[], heldGc: (search: TimedSearch) => boolean): StepFigures {
  const step = (name: keyof SearchSteps) => median(searches.flatMap((s) => (s.steps[name] === undefined ? [] : [s.steps[name]])))
  return {
    searches: searches.length,
    cjk: searches.filter((s) => hasCjk(s.query)).length,
    with_gc: searches.filter(heldGc).length,
    keyword_last: searches.filter((s) => (s.steps.keyword ?? 0) > (s.steps.vector ?? 0)).length,
    settings_ms: step('settings'),
    embedding_ms: step('embedding'),
    keyword_ms: step('keyword'),
    vector_ms: step('vector'),
    winners_ms: step('winners')
  }
}
