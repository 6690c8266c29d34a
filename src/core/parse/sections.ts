/**
 * Collects the sections of one document: normalises their text and heading paths, and drops the
 * empty ones, so that every parser gives back the same clean shape.
 */
import type { Section } from '../types.ts'
import { normalizeText } from '../text/normalize.ts'

const LEADING_BLANK_LINES = /^(?:[ \t]*\n)+/

/** Normalises a heading or a title to one line of text. */
export function cleanLine(text: string): string {
  return normalizeText(text).replace(/\s+/g, ' ').trim()
}

/** Drops repeats of the same heading next to each other (an EPUB chapter title followed by the same h1). */
function withoutAdjacentRepeats(headings: readonly string[]): string[] {
  const out: string[] = []
  for (const heading of headings) {
    const clean = cleanLine(heading)
    if (clean === '') continue
    const previous = out[out.length - 1]
    if (previous !== undefined && previous.toLowerCase() === clean.toLowerCase()) continue
    out.push(clean)
  }
  return out
}

/** An ordered list of non-empty, normalised sections. */
export class SectionList {
  readonly sections: Section[] = []

  /** Adds a section unless its text is empty once normalised. */
  add(text: string, headings: readonly string[], page?: number): void {
    const clean = normalizeText(text).replace(LEADING_BLANK_LINES, '').trimEnd()
    if (clean.trim() === '') return
    const section: Section = { text: clean, headings: withoutAdjacentRepeats(headings) }
    if (page !== undefined) section.page = page
    this.sections.push(section)
  }

  get isEmpty(): boolean {
    return this.sections.length === 0
  }
}
