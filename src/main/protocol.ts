/**
 * The `app://documind/` protocol: serves the built renderer (out/renderer) and nothing else. A real
 * origin (rather than file://) lets the CSP say 'self', lets main check a sender's origin, and keeps
 * a page from reading arbitrary files by URL. Written over web-standard Request/Response and
 * node:fs only, so tests call the handler directly under plain Node.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME, securityHeaders } from './hardening'
import { contentTypeFor } from '../shared/content-types'

/**
 * The file inside `rootDir` that a URL names, or null when the URL is not the app's, or its path
 * (after percent-decoding, so `%2e%2e%2f` and `..%5c` count) would leave the folder.
 */
export function assetPathFor(rootDir: string, url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\')) return null
  if (path === '/' || path === '') path = '/index.html'
  const root = resolve(rootDir)
  const file = resolve(root, `.${path}`)
  return isInside(root, file) ? file : null
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

function refusal(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } })
}

/**
 * The handler for `protocol.handle('app', …)`: GET of a file inside `rootDir`, with the CSP and
 * security headers on every response. A symlink in the build that points outside is refused too.
 */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Method not allowed')
    const file = assetPathFor(rootDir, request.url)
    if (!file) return refusal(403, 'Forbidden')
    let real: string
    try {
      real = await realpath(file)
      if (!isInside(await realpath(resolve(rootDir)), real) || !(await stat(real)).isFile()) return refusal(404, 'Not found')
    } catch {
      return refusal(404, 'Not found')
    }
    const body = await readFile(real)
    const headers = { ...securityHeaders(), 'Content-Type': contentTypeFor(extname(real)) }
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers })
  }
}

