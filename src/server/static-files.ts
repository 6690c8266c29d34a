/**
 * Serves the built renderer: files only from its folder (no path leaves it, no directory is
 * listed), with the right content type and nothing sniffed.
 */
import { createReadStream, existsSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { contentTypeFor } from '../shared/content-types'

const NOT_BUILT = 'The DocuMind web interface has not been built. Run `npm run build` in the DocuMind folder, then start `documind serve` again.\n'

/** Answers a GET or HEAD for a file of the renderer. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, rendererDir: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.\n', { Allow: 'GET, HEAD' })
  const file = await resolveFile(rendererDir, pathname === '/' ? '/index.html' : pathname)
  if (!file) {
    if (pathname === '/') return plain(res, 503, NOT_BUILT)
    return plain(res, 404, 'Not found.\n')
  }
  const type = contentTypeFor(extname(file.path))
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': file.size,
    // The page carries the launch's token in its address; it must not be kept.
    'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache'
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res)
}

/** The regular file at `pathname` inside `root` (symbolic links included), or null. */
async function resolveFile(root: string, pathname: string): Promise<{ path: string; size: number } | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  try {
    const base = await realpath(root)
    const candidate = resolve(base, `.${decoded}`)
    if (!candidate.startsWith(base + sep)) return null
    const real = await realpath(candidate)
    if (!real.startsWith(base + sep)) return null
    const info = await stat(real)
    return info.isFile() ? { path: real, size: info.size } : null
  } catch {
    return null
  }
}

export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  res.end(text)
}

/** Where the built renderer is, seen from a module of the built CLI (out/main/cli.js or a chunk of it). */
export function builtRendererDir(fromDir: string): string {
  const candidates = [join(fromDir, '..', 'renderer'), join(fromDir, '..', '..', 'renderer'), join(fromDir, '..', '..', 'out', 'renderer')]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]
}
