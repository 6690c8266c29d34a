/**
 * The web host: the built renderer and the contract (WebSocket at /ws, uploads at /upload) over
 * node:http on 127.0.0.1 only, guarded by a per-launch token and the Origin of the page. It is
 * the same app service the desktop app runs; only the transport differs.
 */
import { randomBytes } from 'node:crypto'
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import type { AppService } from '../core/app'
import { WEB_ROUTES } from '../shared/contract'
import { hostAllowed, refusal } from './guard'
import { serveConnection } from './socket'
import { plain, serveStatic } from './static-files'
import { DEFAULT_MAX_UPLOAD_BYTES, json, receiveUpload } from './upload'

export interface WebHostOptions {
  service: AppService
  /** Uploads are saved under `<libraryDir>/uploads/`. */
  libraryDir: string
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** 0 picks a free port. */
  port?: number
  maxUploadBytes?: number
  /** Largest WebSocket frame accepted; a larger one closes the connection (code 1009). */
  maxFrameBytes?: number
}

/** A running web host. */
export interface WebHost {
  /** The address to open, token included: http://127.0.0.1:PORT/?token=T */
  readonly url: string
  readonly port: number
  readonly token: string
  close(): Promise<void>
}

export const LOOPBACK = '127.0.0.1'

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(32).toString('base64url')
  const uploadsDir = join(options.libraryDir, 'uploads')
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 1024 * 1024 })
  sockets.on('connection', (ws) => serveConnection(ws, options.service))
  let port = 0
  let headers: Record<string, string> = {}

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
    void route(req, res).catch((error: unknown) => {
      console.error('documind: a web request failed:', error)
      plain(res, 500, 'DocuMind could not answer this request.\n')
    })
  })
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req, port)) return plain(res, 403, 'Unknown host name.\n')
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`)
    if (url.pathname === WEB_ROUTES.upload) {
      const refused = refusal(req, url, port, token)
      if (refused) return json(res, refused.status, { error: refused.reason })
      return receiveUpload(req, res, url, uploadsDir, maxUploadBytes)
    }
    if (url.pathname === WEB_ROUTES.socket) return plain(res, 426, 'This address takes WebSocket connections.\n', { Upgrade: 'websocket' })
    return serveStatic(req, res, options.rendererDir, url.pathname)
  }

  // Refused before the upgrade: a page without the token, or from another origin, never gets a socket.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`)
    const refused = url.pathname === WEB_ROUTES.socket ? refusal(req, url, port, token) : { status: 404 as const, reason: 'Not found.' }
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(refused.reason)}\r\n\r\n${refused.reason}`)
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req))
  })
  server.on('clientError', (_error, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  headers = securityHeaders(port)

  let closing: Promise<void> | null = null
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        for (const client of sockets.clients) client.close(1001, 'DocuMind is closing')
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        sockets.close()
        for (const client of sockets.clients) client.terminate()
        await closed
      })()
      return closing
    }
  }
}

/** Headers on every response: nothing loads from or talks to anywhere but this host. */
function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://${LOOPBACK}:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin'
  }
}
