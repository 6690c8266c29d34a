import type { Chunk, ParsedDocument, Section } from './types'

/**
 * Splits a parsed document into passages small enough to retrieve precisely and to quote in a
 * prompt, while keeping each passage's page, heading path and exact character offsets.
 *
 * The document's text is its sections joined by blank lines; offsets point into that text, so a
 * citation can be shown in context. A section longer than the budget is split at the strongest
 * boundary available (paragraph, line, sentence, clause, word) with a small overlap so that a fact
 * straddling a cut is still whole in one passage. Short neighbouring sections on the same page are
 * merged, so that a page of small headings does not become a scatter of one-line chunks.
 */
export interface ChunkOptions {
  /** Size budget in units: one unit per Latin character, two per CJK character (denser text). */
  maxUnits: number
  /** Overlap between consecutive pieces of one long section, in units. */
  overlapUnits: number
  /** Sections shorter than this are merged with their neighbours when they fit together. */
  minUnits: number
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxUnits: 1200, overlapUnits: 150, minUnits: 300 }

export interface ChunkedDocument {
  /** The whole document text that chunk offsets refer to. */
  text: string
  chunks: Chunk[]
}

const SECTION_GLUE = '\n\n'

export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): ChunkedDocument {
  const placed = placeSections(doc.sections)
  const text = doc.sections.map((s) => s.text).join(SECTION_GLUE)
  const chunks: Chunk[] = []
  const push = (start: number, end: number, section: Section): void => {
    // Trim whitespace at both ends without losing the offsets.
    while (start < end && isSpace(text.charCodeAt(start))) start++
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--
    if (end <= start) return
    chunks.push({ ord: chunks.length, text: text.slice(start, end), start, end, page: section.page ?? null, headings: section.headings })
  }

  let i = 0
  while (i < placed.length) {
    const first = placed[i]
    // Merge following short sections on the same page while the group stays within budget.
    let j = i
    let units = first.units
    while (
      j + 1 < placed.length &&
      placed[j + 1].section.page === first.section.page &&
      (units < options.minUnits || placed[j + 1].units < options.minUnits) &&
      units + placed[j + 1].units <= options.maxUnits
    ) {
      j++
      units += placed[j].units
    }
    const start = first.start
    const end = placed[j].end
    if (units <= options.maxUnits) {
      push(start, end, first.section)
    } else {
      for (const [pieceStart, pieceEnd] of splitRange(text, start, end, options)) push(pieceStart, pieceEnd, first.section)
    }
    i = j + 1
  }
  return { text, chunks }
}

interface PlacedSection {
  section: Section
  start: number
  end: number
  units: number
}

function placeSections(sections: Section[]): PlacedSection[] {
  const placed: PlacedSection[] = []
  let offset = 0
  for (const section of sections) {
    placed.push({ section, start: offset, end: offset + section.text.length, units: measureUnits(section.text, 0, section.text.length) })
    offset += section.text.length + SECTION_GLUE.length
  }
  return placed
}

/** Boundaries to cut at, strongest first. Each pattern matches the text that ends a piece. */
const BOUNDARIES: RegExp[] = [
  /\n[ \t]*\n/g, // paragraph
  /\n/g, // line
  /[.!?](?=\s)|[。！？]/g, // sentence
  /[;:,](?=\s)|[；：，、]/g, // clause
  /\s/g // word
]

/**
 * Cuts text[start, end) into pieces of at most `maxUnits`, each ending at the strongest boundary
 * found in the back half of the budget, with `overlapUnits` carried into the next piece.
 */
function splitRange(text: string, start: number, end: number, options: ChunkOptions): Array<[number, number]> {
  const pieces: Array<[number, number]> = []
  let pos = start
  while (pos < end) {
    const limit = advanceUnits(text, pos, end, options.maxUnits)
    if (limit >= end) {
      pieces.push([pos, end])
      break
    }
    const cut = findCut(text, pos + Math.floor((limit - pos) / 2), limit)
    pieces.push([pos, cut])
    // Start the next piece a little before the cut, at a word boundary where one is near.
    let next = retreatUnits(text, cut, pos, options.overlapUnits)
    const space = text.slice(next, cut).search(/\s/)
    if (space >= 0 && next + space + 1 < cut) next = next + space + 1
    pos = next > pos ? next : cut
  }
  return pieces
}

/** The position just after the strongest boundary in text[from, to), else `to` (a hard cut). */
function findCut(text: string, from: number, to: number): number {
  const window = text.slice(from, to)
  for (const pattern of BOUNDARIES) {
    pattern.lastIndex = 0
    let last = -1
    for (let m = pattern.exec(window); m; m = pattern.exec(window)) last = m.index + m[0].length
    if (last > 0) return from + last
  }
  // Never cut a surrogate pair in half.
  const code = text.charCodeAt(to - 1)
  return code >= 0xd800 && code <= 0xdbff ? to - 1 : to
}

function unitsOf(code: number): number {
  // CJK ideographs, kana, Hangul and full-width forms carry more meaning per character.
  return code >= 0x2e80 && code <= 0xffef ? 2 : 1
}

/** Units in text[from, to). */
export function measureUnits(text: string, from: number, to: number): number {
  let units = 0
  for (let i = from; i < to; i++) units += unitsOf(text.charCodeAt(i))
  return units
}

function advanceUnits(text: string, from: number, to: number, budget: number): number {
  let i = from
  let units = 0
  while (i < to && units + unitsOf(text.charCodeAt(i)) <= budget) units += unitsOf(text.charCodeAt(i++))
  return i
}

function retreatUnits(text: string, from: number, floor: number, budget: number): number {
  let i = from
  let units = 0
  while (i > floor && units + unitsOf(text.charCodeAt(i - 1)) <= budget) units += unitsOf(text.charCodeAt(--i))
  return i
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0x3000 || code === 0xa0
}
