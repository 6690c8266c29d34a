/**
 * Search hits made from real passages in ../shared/data: SciFact abstracts (English) and DRCD
 * paragraphs (Traditional Chinese), so answer tests run on text the app will really see.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Hit } from '../../src/core/types'

const DATA = resolve(process.cwd(), '../shared/data')

interface BeirDoc {
  _id: string
  title: string
  text: string
}

const corpora = new Map<string, Map<string, BeirDoc>>()

function corpus(name: 'beir-scifact' | 'drcd-dev'): Map<string, BeirDoc> {
  let docs = corpora.get(name)
  if (!docs) {
    const lines = gunzipSync(readFileSync(resolve(DATA, name, 'corpus.jsonl.gz'))).toString('utf8').split('\n')
    docs = new Map(lines.filter(Boolean).map((l) => JSON.parse(l) as BeirDoc).map((d) => [d._id, d]))
    corpora.set(name, docs)
  }
  return docs
}

/** A hit for one document of a BEIR-format corpus, as retrieval would return it. */
export function corpusHit(name: 'beir-scifact' | 'drcd-dev', id: string, overrides: Partial<Hit> = {}): Hit {
  const doc = corpus(name).get(id)
  if (!doc) throw new Error(`no document ${id} in ${name}`)
  return {
    chunkId: `${name}:${id}#0`,
    docId: `${name}:${id}`,
    document: doc.title,
    path: resolve(DATA, name, `${id}.txt`),
    text: doc.text,
    score: 1,
    page: null,
    headings: [],
    start: 0,
    end: doc.text.length,
    ...overrides
  }
}

/** A hit with the given text, for tests about formatting rather than content. */
export function textHit(n: number, text: string, overrides: Partial<Hit> = {}): Hit {
  return {
    chunkId: `c${n}`,
    docId: `d${n}`,
    document: `Document ${n}`,
    path: `/docs/document-${n}.md`,
    text,
    score: 1 / n,
    page: null,
    headings: [],
    start: 0,
    end: text.length,
    ...overrides
  }
}

/** SciFact claim 36 and its two relevant abstracts, then an unrelated one. */
export const homocysteine = {
  question: 'Does a deficiency of vitamin B12 increase blood levels of homocysteine?',
  hits: (): Hit[] => [
    corpusHit('beir-scifact', '11705328'),
    corpusHit('beir-scifact', '5152028'),
    corpusHit('beir-scifact', '4346436')
  ]
}

/** A DRCD question about Sanskrit writing, with its paragraph first. */
export const sanskrit = {
  question: '印度的梵語的書寫形式是到何時才出現的？',
  answer: '當梵語發展成俗語之後',
  hits: (): Hit[] => [corpusHit('drcd-dev', '1147-6'), corpusHit('drcd-dev', '1147-5')]
}
