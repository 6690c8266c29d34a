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

/**
 * NFKC-normalises `text`, turns CRLF, CR, form feeds and Unicode line separators into `\n`, and
 * removes other control characters (keeping `\t` and `\n`) and a leading byte-order mark.
 *
 * NFKC matters for PDFs: some Chinese PDFs map glyphs to CJK compatibility ideographs
 * (U+F900–U+FAFF) that look identical to the unified ones but would never match a typed query;
 * it also unfolds ligatures (ﬁ → fi) and full-width forms (Ａ → A).
 */
export function normalizeText(text: string): string {
  let out = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  // Line breaks first: U+0085 (NEL) is a C1 control that would otherwise just disappear.
  out = out.replace(LINE_BREAKS, '\n').replace(CONTROL_CHARS, '')
  // NFKC of pure ASCII is the identity; skipping it saves time on large English files.
  return NON_ASCII.test(out) ? out.normalize('NFKC') : out
}
