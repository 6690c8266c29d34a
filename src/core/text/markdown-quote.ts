/**
 * A passage's words quoted into a Markdown answer, so that they read as written: an extractive
 * answer joins each excerpt onto one line, and there a Markdown file's "# Title" made the whole
 * excerpt a heading, "- item" a list, "a*b*c" emphasis, "[text](url)" lost its address (the chat
 * view shows a link as its words) and a fence's backticks vanished into a code span.
 * Only what could be read as Markdown on one line is escaped, so that the text stays as it was
 * wherever it is shown unrendered.
 */

/** ASCII punctuation, which a backslash escapes in CommonMark. */
const PUNCTUATION = String.raw`!-\/:-@\[-\`{-~`

/** `text` (one line) as a Markdown paragraph that shows exactly it. */
export function quoteInMarkdown(text: string): string {
  return (
    text
      // A backslash already before punctuation would escape it: keep it a backslash.
      .replace(new RegExp(String.raw`\\(?=[${PUNCTUATION}])`, 'g'), '\\\\')
      // Emphasis, strikethrough, code, and the end of a link's text or an image's description.
      .replace(/[*~`]|\](?=[([])/g, '\\$&')
      // Underscores emphasise only at a word's edge: snake_case names stay as they are.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
      // Block syntax, which counts only at the start: headings, quotes, lists.
      .replace(/^(#{1,6}|>|[-+])(?=\s|$)/, '\\$1')
      .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
  )
}

/** The text a quoted answer shows, for places that print it unrendered (the command line). */
export function unquoteMarkdown(markdown: string): string {
  return markdown.replace(new RegExp(String.raw`\\([${PUNCTUATION}])`, 'g'), '$1')
}
