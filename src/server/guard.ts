/**
 * Who may use the web host. Only this computer (it listens on 127.0.0.1), only a page of this
 * host (the Origin, which a browser always sends on WebSocket and POST requests and a page cannot
 * forge), only someone who was given this launch's token, and only under the host's own name
 * (a Host check, so a DNS-rebound name cannot reach it either).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export type Refusal = { status: 401 | 403; reason: string }

/** The names the host answers to: its loopback address and `localhost`, on its port. */
export function hostNames(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  return hostNames(port).includes(String(req.headers.host ?? '').toLowerCase())
}

/** Checks the token in the query string and the Origin of a request that can act on the library. */
export function refusal(req: IncomingMessage, url: URL, port: number, token: string): Refusal | null {
  if (!tokenMatches(url.searchParams.get('token'), token)) return { status: 401, reason: 'A valid token is required: open the address that `documind serve` printed.' }
  const origin = req.headers.origin
  if (!origin || !hostNames(port).some((name) => origin === `http://${name}`)) return { status: 403, reason: 'Requests must come from a DocuMind page on this computer.' }
  if (!hostAllowed(req, port)) return { status: 403, reason: 'Unknown host name.' }
  return null
}

/** Compares in constant time, so the token cannot be guessed a character at a time. */
function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(token))
}
