/**
 * Ingest worker: reads, parses, chunks and embeds one file per task (core does the work). The
 * chunks travel back to the coordinator packed in one buffer, by transfer, not by copy.
 */
import { Piscina } from 'piscina'
import { processFile, type ProcessFileResult, type ProcessFileTask } from '../core/ingest/process'

export default async function ingestFile(task: ProcessFileTask): Promise<ProcessFileResult> {
  const result = await processFile(task)
  if (result.kind !== 'indexed') return result
  // move() marks the wrapper so Piscina transfers the buffer and hands the caller `result` itself.
  const wrapper = { [Piscina.transferableSymbol]: result.chunks.buffer, [Piscina.valueSymbol]: result } as unknown as Parameters<typeof Piscina.move>[0]
  return Piscina.move(wrapper) as unknown as ProcessFileResult
}
