/**
 * The one normal form of all text DocuMind extracts, so that indexing, search and citations all see
 * the same characters whatever the source format.
 */

// C0 controls except \t and \n (handled below), DEL, and C1 controls: none of them carry text, and
// some (NUL in particular) break tokenizers and the database layer. \f and \v are mapped to line
// breaks first because plain-text manuals use form feeds as page breaks between words.
const CONTROL_CHARS = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g
const LINE_BREAKS = /\r\n?|[\f\v\u2028\u2029\u0085]/g
const NON_ASCII = /[^\u0000-\u007F]/
// Text between full-width punctuation marks (！＂＃…／ ：；…＠ ［＼…｀ ｛｜｝～｟｠), which NFKC would
// turn into ASCII.
const BETWEEN_FULL_WIDTH_PUNCTUATION = /[^\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF60]+/g

/**
 * NFKC-normalises `text` except its full-width punctuation (see `foldCompatibility`), turns CRLF,
 * CR, form feeds and Unicode line separators into `\n`, and removes other control characters
 * (keeping `\t` and `\n`) and a leading byte-order mark.
 */
export function normalizeText(text: string): string {
  let out = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  // Line breaks first: U+0085 (NEL) is a C1 control that would otherwise just disappear.
  out = out.replace(LINE_BREAKS, '\n').replace(CONTROL_CHARS, '')
  // NFKC of pure ASCII is the identity; skipping it saves time on large English files.
  return NON_ASCII.test(out) ? foldCompatibility(out) : out
}

/**
 * NFKC, keeping full-width punctuation as written.
 *
 * NFKC matters for PDFs: some Chinese PDFs map glyphs to CJK compatibility ideographs
 * (U+F900–U+FAFF) that look identical to the unified ones but would never match a typed query;
 * it also unfolds ligatures (ﬁ → fi) and full-width letters and digits (Ａ → A, １ → 1). But it
 * also makes the commas, colons, question marks and brackets of Chinese text ASCII ("時，本公司"
 * became "時,本公司"), which the passages shown and quoted to the user would then read, and which
 * hid the clauses and sentences of Chinese text from the chunker (it cuts at "，" and "？", and
 * at "," and "?" only before white space). Punctuation is not indexed either way: the full-text
 * tokenizer splits at both forms.
 */
export function foldCompatibility(text: string): string {
  return text.replace(BETWEEN_FULL_WIDTH_PUNCTUATION, (run) => run.normalize('NFKC'))
}
