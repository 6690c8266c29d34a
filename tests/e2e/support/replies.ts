/**
 * Replies for the fake Ollama server that cite the way a model does: they read the numbered
 * sources in the prompt and cite the first one that has a page, so the test can open a citation
 * and see a page number.
 */
import type { FakeChatMessage } from '../../support/fake-ollama'

interface PromptSource {
  n: number
  document: string
  page: number | null
}

/** The `[n] Document — page P — …` headers of the prompt's sources. */
export function sourcesIn(messages: FakeChatMessage[]): PromptSource[] {
  const prompt = messages.at(-1)?.content ?? ''
  return [...prompt.matchAll(/^\[(\d+)\] (.+?)(?: — page (\d+))?(?: — .*)?$/gm)].map((m) => ({ n: Number(m[1]), document: m[2], page: m[3] ? Number(m[3]) : null }))
}

function isChinese(messages: FakeChatMessage[]): boolean {
  return (messages.at(-1)?.content ?? '').includes('請只根據以上來源')
}

/** A Markdown answer in the question's language citing a paged source and one more. */
export function citingReply(messages: FakeChatMessage[]): string {
  const sources = sourcesIn(messages)
  const paged = sources.find((s) => s.page !== null) ?? sources[0]
  const other = sources.find((s) => s !== paged)
  const first = paged ? `[${paged.n}]` : ''
  const second = other ? `[${other.n}]` : ''
  if (isChinese(messages)) return `建立套件之前，**必須**先安裝 build-essential 等工具 ${first}。完成後即可用 dpkg-buildpackage 建構 ${second}。`
  return `The documents explain it in **two** steps. First, values are combined into a vector ${first}. Then logical index vectors select elements ${second}.\n\n- Missing values can be dropped with \`x[!is.na(x)]\` ${first}`
}
