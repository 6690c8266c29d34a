/**
 * Store worker: the one writer of a library. It owns the LanceDB write connection so that building
 * and writing batches never runs on the thread that serves the user. Errors come back as values
 * with their stable code, because an Error thrown across threads loses its fields.
 */
import type { EmbedderSpec } from '../core/embed/embedder'
import { LibraryWriter, type KnownDocument } from '../core/store/writer'
import type { PackedChunks } from '../core/store/packed'
import type { DocumentRecord } from '../core/store/schema'
import { toWriterResult, type WriterResult } from '../core/store/writer-protocol'

let writer: LibraryWriter | null = null
/** Open requests not yet matched by a close: an import and a removal may overlap. */
let users = 0

function current(): LibraryWriter {
  if (!writer) throw new Error('the library writer is not open')
  return writer
}

export function open(task: { dir: string; embedder: EmbedderSpec; rebuild?: boolean }): Promise<WriterResult> {
  return toWriterResult(async () => {
    if (writer && (writer.dir !== task.dir || task.rebuild)) throw new Error(`the writer is busy with ${writer.dir}`)
    writer ??= await LibraryWriter.open(task.dir, task.embedder, { rebuild: task.rebuild })
    users++
  })
}

export function commit(task: { docs: DocumentRecord[]; chunks: PackedChunks[] }): Promise<WriterResult> {
  return toWriterResult(() => current().commit(task.docs, task.chunks))
}

/** The library's rows an import of these files needs (see `LibraryWriter.known`). */
export async function known(task: { docIds: string[]; sizes: number[] }): Promise<KnownDocument[]> {
  return current().known(task.docIds, task.sizes)
}

export function touch(task: { docs: Array<Pick<DocumentRecord, 'id' | 'mtime'>> }): Promise<WriterResult> {
  return toWriterResult(() => current().touch(task.docs))
}

export function remove(task: { docIds: string[] }): Promise<WriterResult> {
  return toWriterResult(() => current().remove(task.docIds))
}

export function clear(): Promise<WriterResult> {
  return toWriterResult(() => current().clear())
}

/** Every document written so far becomes searchable; the vector index may still follow at `close`. */
export function searchable(): Promise<WriterResult> {
  return toWriterResult(() => current().makeSearchable())
}

export function close(): Promise<WriterResult> {
  return toWriterResult(async () => {
    users = Math.max(0, users - 1)
    if (users > 0) return
    const closing = writer
    writer = null
    await closing?.close()
  })
}
