/**
 * Markdown to sections. The text stays Markdown source (it renders well in answers and citations);
 * only the headings are read, to split the text and give each section its heading path. Each
 * section starts with its own heading line, so a heading with nothing under it (a title page) is
 * still text. Headings inside fenced code blocks (a `# comment` in a shell example) are code.
 */
import { SectionList, cleanLine } from './sections.ts'

/** What a Markdown file gives: its first H1 as title, and its sections. */
export interface MarkdownResult {
  title?: string
  sections: SectionList
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/
const ATX_HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$/
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/
// Lines that cannot be the text of a setext heading: they start a block of another kind.
const NOT_PARAGRAPH = /^(?: {4,}|\t| {0,3}(?:[>#<|]|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|(?:[-*_][ \t]*){3,}$))/

/** Removes YAML (`---`) or TOML (`+++`) front matter: metadata, not text. */
function withoutFrontMatter(lines: string[]): string[] {
  const fence = lines[0]?.trim()
  if (fence !== '---' && fence !== '+++') return lines
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === fence || (fence === '---' && line === '...')) return lines.slice(i + 1)
  }
  return lines
}

/** Heading text without the Markdown around it: links and images keep their text, code and emphasis marks go. */
function headingText(source: string): string {
  const text = source
    .replace(/(?:^|[ \t]+)#+[ \t]*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
  return cleanLine(text)
}

/** Splits Markdown source into sections by its ATX (`#`) and setext (underlined) headings. */
export function parseMarkdown(source: string): MarkdownResult {
  const sections = new SectionList()
  const lines = withoutFrontMatter(source.split('\n'))
  const headingStack: { level: number; text: string }[] = []
  let title: string | undefined
  let body: string[] = []
  // How many of the last body lines form a paragraph that a setext underline would turn into a heading.
  let paragraphLines = 0
  let fence: { char: string; length: number } | null = null

  const startSection = (level: number, text: string): void => {
    sections.add(body.join('\n'), headingStack.map((h) => h.text))
    body = []
    paragraphLines = 0
    if (text === '') return
    if (level === 1) title ??= text
    while (headingStack.length > 0 && headingStack[headingStack.length - 1].level >= level) headingStack.pop()
    headingStack.push({ level, text })
  }

  for (const line of lines) {
    if (fence) {
      body.push(line)
      const close = FENCE_OPEN.exec(line)
      if (close && close[1][0] === fence.char && close[1].length >= fence.length && close[2].trim() === '') fence = null
      continue
    }
    const open = FENCE_OPEN.exec(line)
    // A backtick fence's info string cannot contain backticks (CommonMark); otherwise it is inline code.
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { char: open[1][0], length: open[1].length }
      body.push(line)
      paragraphLines = 0
      continue
    }
    const atx = ATX_HEADING.exec(line)
    if (atx) {
      startSection(atx[1].length, headingText(atx[2]))
      body.push(line)
      continue
    }
    const underline = SETEXT_UNDERLINE.exec(line)
    if (underline && paragraphLines > 0) {
      const headingLines = body.splice(body.length - paragraphLines)
      startSection(underline[1][0] === '=' ? 1 : 2, headingText(headingLines.join(' ')))
      body.push(...headingLines, line)
      continue
    }
    body.push(line)
    if (line.trim() === '') paragraphLines = 0
    else if (paragraphLines > 0 || !NOT_PARAGRAPH.test(line)) paragraphLines++
  }
  sections.add(body.join('\n'), headingStack.map((h) => h.text))
  return { title, sections }
}
