import { createReadStream, existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { Readable } from 'node:stream'
import type { Judgments } from './metrics'

/** A document of a BEIR corpus. */
export interface BeirDocument {
  id: string
  title: string
  text: string
}

export interface BeirDataset {
  name: string
  queries: Map<string, string>
  /** Judgments per query id; only judged queries are evaluated. */
  qrels: Map<string, Judgments>
}

/** Reads `corpus.jsonl` or `corpus.jsonl.gz` one document at a time (corpora can be large). */
export async function* readBeirCorpus(dir: string): AsyncGenerator<BeirDocument> {
  const plain = join(dir, 'corpus.jsonl')
  const gz = join(dir, 'corpus.jsonl.gz')
  let input: Readable
  if (existsSync(plain)) input = createReadStream(plain)
  else if (existsSync(gz)) input = createReadStream(gz).pipe(createGunzip())
  else throw new Error(`${dir} has no corpus.jsonl or corpus.jsonl.gz; is it a BEIR-format dataset?`)
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue
    const row = JSON.parse(line) as { _id: string; title?: string; text?: string }
    yield { id: String(row._id), title: row.title ?? '', text: row.text ?? '' }
  }
}

/** Reads the queries and the judgments of one split (`qrels/SPLIT.tsv`, with or without header). */
export async function readBeirDataset(dir: string, split: string): Promise<BeirDataset> {
  const qrelsPath = join(dir, 'qrels', `${split}.tsv`)
  if (!existsSync(qrelsPath)) throw new Error(`${qrelsPath} does not exist; which split? (--split test, dev, ...)`)
  const qrels = new Map<string, Judgments>()
  for (const line of (await readFile(qrelsPath, 'utf8')).split('\n')) {
    const [queryId, docId, score] = line.trim().split('\t')
    if (!queryId || !docId || queryId === 'query-id' || score === undefined) continue
    const judged = qrels.get(queryId) ?? new Map<string, number>()
    judged.set(docId, Number(score))
    qrels.set(queryId, judged)
  }
  const queries = new Map<string, string>()
  for (const line of (await readFile(join(dir, 'queries.jsonl'), 'utf8')).split('\n')) {
    if (!line.trim()) continue
    const row = JSON.parse(line) as { _id: string; text: string }
    if (qrels.has(String(row._id))) queries.set(String(row._id), row.text)
  }
  return { name: basename(dir.replace(/\/+$/, '')), queries, qrels }
}
