/**
 * Uploads dropped files to the web host (WEB_ROUTES.upload), a few at a time, and returns the
 * paths the host stored them at. A file that cannot be uploaded is reported with its reason and
 * does not stop the others: one unreadable file in a folder of thousands should not lose the rest.
 */
import { z } from 'zod'
import { ErrorValueSchema, UploadResponseSchema, WEB_ROUTES, type DroppedFile, type Result } from '../../../shared/contract'
import type { DropFailure, DropProgress } from './types'

const PARALLEL_UPLOADS = 4

export async function uploadDropped(
  files: ReadonlyArray<DroppedFile>,
  token: string,
  onProgress?: DropProgress
): Promise<Result<{ paths: string[]; failures: DropFailure[] }>> {
  const paths: Array<string | undefined> = new Array(files.length)
  const failures: DropFailure[] = []
  let next = 0
  let done = 0
  onProgress?.(0, files.length)

  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++
      const { file, relativePath } = files[index]
      const name = relativePath || file.name
      const outcome = await uploadOne(file, name, token)
      if (outcome.ok) paths[index] = outcome.value
      else failures.push({ name, reason: outcome.error })
      onProgress?.(++done, files.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, files.length) }, worker))

  const uploaded = paths.filter((p): p is string => p !== undefined)
  if (uploaded.length === 0 && failures.length > 0) {
    return { ok: false, error: { code: 'library-error', message: `No file could be uploaded: ${failures[0].reason}` } }
  }
  return { ok: true, value: { paths: uploaded, failures } }
}

async function uploadOne(file: Blob, name: string, token: string): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
  const url = `${WEB_ROUTES.upload}?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } })
  } catch {
    return { ok: false, error: 'DocuMind is not reachable; the file was not uploaded.' }
  }
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // A non-JSON answer is described by its status below.
  }
  if (response.ok) {
    const parsed = UploadResponseSchema.safeParse(body)
    return parsed.success ? { ok: true, value: parsed.data.path } : { ok: false, error: 'The app answered the upload in a form it does not understand.' }
  }
  // The web host answers a refused upload with { error: "what to do" }.
  const error = z.object({ error: z.union([z.string(), ErrorValueSchema]) }).safeParse(body)
  if (error.success) return { ok: false, error: typeof error.data.error === 'string' ? error.data.error : error.data.error.message }
  return { ok: false, error: `The upload was refused (HTTP ${response.status}).` }
}
