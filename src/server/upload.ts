/**
 * Uploads from the browser: a page cannot see a dropped file's path, so it sends the bytes and
 * gets back a path to import. Each upload is streamed to disk (never held in memory) and kept
 * under `<libraryDir>/uploads/<its content's hash>/<its relative path>`, with the path cleaned so
 * that nothing can be written outside that folder. The same file dropped again is the same path:
 * the import finds it unchanged (or, if it failed, replaces its failure) instead of adding a
 * second document, and the disk holds it once.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
const MAX_DEPTH = 64
const MAX_SEGMENT_BYTES = 255

/**
 * The segments of a relative path that is safe to recreate under a folder, or null: absolute
 * paths, drive letters, `.` and `..`, and control characters are refused; characters some file
 * systems reject are replaced.
 */
export function safeRelativePath(name: string): string[] | null {
  if (name === '' || name.length > 4096 || /[\u0000-\u001f\u007f]/.test(name)) return null
  if (/^[\\/]/.test(name) || /^[a-zA-Z]:/.test(name)) return null
  const segments = name.split(/[\\/]+/).filter((segment) => segment !== '')
  if (segments.length === 0 || segments.length > MAX_DEPTH) return null
  const cleaned: string[] = []
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return null
    const safe = segment.replace(/[<>:"|?*]/g, '_').replace(/[. ]+$/, '')
    if (safe === '' || Buffer.byteLength(safe) > MAX_SEGMENT_BYTES) return null
    cleaned.push(safe)
  }
  return cleaned
}

/** Receives one file; answers `{ path }`, or an error status with `{ error }`. */
export async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL, uploadsDir: string, maxBytes: number): Promise<void> {
  if (req.method !== 'POST') return json(res, 405, { error: 'Uploads are sent with POST.' })
  const segments = safeRelativePath(url.searchParams.get('name') ?? '')
  if (!segments) return json(res, 400, { error: 'The file name must be a relative path inside the dropped folder (no "..", no absolute paths).' })
  const tooBig = { error: `The file is larger than ${Math.round(maxBytes / (1024 * 1024))} MB, the most DocuMind accepts from a browser.` }
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return json(res, 413, tooBig)

  // Received into a folder of its own, then moved to where its content says once it is whole.
  const incoming = join(uploadsDir, `.incoming-${randomBytes(12).toString('hex')}`)
  const received = join(incoming, segments.at(-1) ?? 'file')
  const hash = createHash('sha256')
  let bytes = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (bytes > maxBytes) return done(new UploadTooLarge())
      hash.update(chunk)
      done(null, chunk)
    }
  })
  try {
    await mkdir(incoming, { recursive: true })
    await pipeline(req, limit, createWriteStream(received, { flags: 'wx' }))
    const target = join(uploadsDir, hash.digest('hex').slice(0, 32), ...segments)
    const kept = await stat(target).catch(() => null)
    if (kept?.size !== bytes) {
      await mkdir(dirname(target), { recursive: true })
      await rename(received, target)
    }
    await rm(incoming, { recursive: true, force: true })
    json(res, 200, { path: target })
  } catch (error) {
    await rm(incoming, { recursive: true, force: true })
    if (error instanceof UploadTooLarge) return json(res, 413, tooBig)
    if (req.destroyed || req.readableAborted) return void res.destroy()
    console.error('documind: an upload failed:', error)
    json(res, 500, { error: 'The file could not be saved. Check that the disk has space, then drop it again.' })
  }
}

class UploadTooLarge extends Error {}

/** A JSON answer; a refusal also closes the connection rather than read the body it refused. */
export function json(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...(status >= 400 ? { Connection: 'close' } : {}) })
  res.end(JSON.stringify(value))
}
