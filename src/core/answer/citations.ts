/**
 * Citation markers in answers. The model is asked to cite with [n]; in practice it also writes
 * [1, 2], [1][2], [1-3], and (in Chinese) ［1］ or 【1】. This file finds them all, outside code
 * and links, and rewrites each into the canonical [n] form the UI links to its source.
 */
import type { Citation, Hit } from '../types'

/** The answer with every citation marker in `[n]` form, the sources they point to, and what was dropped. */
export interface CitationResult {
  answer: string
  /** The hits the answer cites, each with its source number n (its position in `hits`, from 1), ordered by n. */
  citations: Citation[]
  /** Numbers the answer cited that point to no source; their markers were removed from `answer`. */
  droppedMarkers: number[]
}

const OPEN = '[\\[［【]'
const CLOSE = '[\\]］】]'
const NUM = '[0-9０-９]{1,4}'
const ITEM = `${NUM}(?:\\s*[-–—－~～]\\s*${NUM})?`
const MARKER = new RegExp(`${OPEN}\\s*(${ITEM}(?:\\s*[,，、;；]\\s*${ITEM})*)\\s*${CLOSE}`, 'g')
const SPACED_MARKER = new RegExp(`\\s*${MARKER.source}`, 'g')

// Beyond these a bracketed number is something else (a year, a ticket number), not a citation.
const MAX_SOURCE_NUMBER = 999
const MAX_RANGE_SPAN = 50

/**
 * Maps the `[n]` markers of `answerText` to `hits` (n = position in `hits`, from 1, as numbered
 * in the prompt). Markers inside inline code, fenced code and Markdown links are left alone.
 * Nothing else in the text is touched: HTML in a model's answer passes through as text.
 */
export function citationsFor(answerText: string, hits: Hit[]): CitationResult {
  const protectedRanges = findProtectedRanges(answerText)
  const cited = new Set<number>()
  const dropped = new Set<number>()
  let out = ''
  let last = 0
  for (const match of answerText.matchAll(MARKER)) {
    const start = match.index
    const end = start + match[0].length
    if (isProtected(protectedRanges, start) || answerText[end] === '(') continue
    const numbers = parseNumbers(match[1])
    if (!numbers) continue
    const valid = [...new Set(numbers.filter((n) => n >= 1 && n <= hits.length))]
    for (const n of numbers) (valid.includes(n) ? cited : dropped).add(n)
    let before = answerText.slice(last, start)
    if (valid.length === 0 && /[ \t]$/.test(before) && /^($|[\s\p{P}])/u.test(answerText.slice(end, end + 1))) {
      // "as shown [7]." reads "as shown." once the marker goes, not "as shown ."
      before = before.replace(/[ \t]+$/, '')
    }
    out += before + valid.map((n) => `[${n}]`).join('')
    last = end
  }
  out += answerText.slice(last)
  const citations = [...cited].sort((a, b) => a - b).map((n) => ({ ...hits[n - 1], n }))
  return { answer: out, citations, droppedMarkers: [...dropped].sort((a, b) => a - b) }
}

/**
 * Source text goes to the model with its own bracketed numbers (an article's reference list, a
 * footnote) turned into parentheses, so the model cannot mistake them for our source numbers and
 * the UI does not link them to the wrong source.
 */
export function neutraliseMarkers(text: string): string {
  return text.replace(MARKER, (marker, inner: string) => (parseNumbers(inner) ? `(${inner})` : marker))
}

/** The text without its citation markers (and the spaces before them), for places that show no chips. */
export function removeMarkers(text: string): string {
  return text.replace(SPACED_MARKER, (marker, inner: string) => (parseNumbers(inner) ? '' : marker))
}

/** Removes a marker cut off by the end of a partial answer ("… as shown [1, "). */
export function trimUnfinishedMarker(text: string): string {
  return text.replace(new RegExp(`\\s*${OPEN}[\\s0-9０-９,，、;；\\-–—－~～]*$`), '')
}

function parseNumbers(inner: string): number[] | null {
  const numbers: number[] = []
  for (const item of inner.split(/\s*[,，、;；]\s*/)) {
    const [from, to = from] = item.split(/\s*[-–—－~～]\s*/).map(toNumber)
    if (from > MAX_SOURCE_NUMBER || to > MAX_SOURCE_NUMBER) return null
    if (to < from || to - from > MAX_RANGE_SPAN) return null
    for (let n = from; n <= to; n++) numbers.push(n)
  }
  return numbers
}

function toNumber(digits: string): number {
  // Fullwidth ０-９ sit 0xFEE0 above ASCII 0-9.
  return Number(digits.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)))
}

type Range = [number, number]

/** Fenced code blocks, inline code spans and Markdown links: where a bracket is not a citation. */
function findProtectedRanges(text: string): Range[] {
  const ranges: Range[] = []
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*$/gm
  let open: { start: number; marker: string } | null = null
  for (const m of text.matchAll(fence)) {
    const marker = m[1]
    if (!open) open = { start: m.index, marker }
    else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && m[0].trim() === marker) {
      ranges.push([open.start, m.index + m[0].length])
      open = null
    }
  }
  if (open) ranges.push([open.start, text.length]) // an answer cut off inside a code block
  const outsideFences = (i: number): boolean => !isProtected(ranges, i)
  const code: Range[] = []
  for (const m of text.matchAll(/(`+)[^`][\s\S]*?(?<!`)\1(?!`)|(`+)(?!`)/g)) {
    if (m[2] === undefined && outsideFences(m.index)) code.push([m.index, m.index + m[0].length])
  }
  const links: Range[] = []
  for (const m of text.matchAll(/!?\[(?:[^[\]\n]|\[[^[\]\n]*\])*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\)|^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$/gm)) {
    if (outsideFences(m.index)) links.push([m.index, m.index + m[0].length])
  }
  return [...ranges, ...code, ...links]
}

function isProtected(ranges: Range[], index: number): boolean {
  return ranges.some(([start, end]) => index >= start && index < end)
}
