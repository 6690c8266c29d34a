/**
 * Ingest worker: reads, parses, chunks and embeds one file per task (core does the work). The
 * chunks travel back to the coordinator packed in one buffer, by transfer, not by copy.
 */
import { Piscina } from 'piscina'
import { processFile, type DuplicateAnswer, type ProcessFileResult, type ProcessFileTask, type TaskMessage } from '../core/ingest/process'

export default async function ingestFile(task: ProcessFileTask): Promise<ProcessFileResult> {
  const { port } = task
  const say = (message: TaskMessage): void => port?.postMessage(message)
  say({ type: 'started' })
  const duplicateOf = (hash: string): Promise<string | null> =>
    new Promise((resolve) => {
      if (!port) return resolve(null)
      port.once('message', (answer: DuplicateAnswer) => resolve(answer.of))
      port.once('close', () => resolve(null))
      say({ type: 'hash', hash })
    })
  // At most ten progress reports a second: a 2,000-page PDF must not flood the coordinator.
  let lastReport = 0
  const onProgress = (fraction: number): void => {
    const now = Date.now()
    if (now - lastReport < 100 && fraction < 1) return
    lastReport = now
    say({ type: 'progress', fraction })
  }
  let result: ProcessFileResult
  try {
    result = await processFile(task, { duplicateOf, onProgress })
  } finally {
    port?.close()
  }
  if (result.kind !== 'indexed') return result
  // move() marks the wrapper so Piscina transfers the buffer and hands the caller `result` itself.
  const wrapper = { [Piscina.transferableSymbol]: result.chunks.buffer, [Piscina.valueSymbol]: result } as unknown as Parameters<typeof Piscina.move>[0]
  return Piscina.move(wrapper) as unknown as ProcessFileResult
}
