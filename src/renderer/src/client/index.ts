/**
 * Picks the one client the UI talks to: the Electron preload's bridge when there is one, else the
 * WebSocket of the web host that served this page. The rest of the UI never asks which.
 */
import { WEB_ROUTES, type DocumindClient } from '../../../shared/contract'
import { wrapDesktopClient } from './desktop-client'
import type { RendererClient } from './types'
import { createWebSocketClient } from './ws-client'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    documind?: DocumindClient
  }
}

let current: RendererClient | null = null

/** The token the web host printed in its URL (`?token=`); empty on the desktop. */
export function launchToken(): string {
  return new URLSearchParams(window.location.search).get('token') ?? ''
}

export function createClient(): RendererClient {
  if (window.documind) return wrapDesktopClient(window.documind)
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const token = launchToken()
  return createWebSocketClient({ socketUrl: `${scheme}//${window.location.host}${WEB_ROUTES.socket}?token=${encodeURIComponent(token)}`, token })
}

/** Sets the client the actions use (once at start-up). */
export function setClient(client: RendererClient): void {
  current = client
}

/** The client the actions talk through. */
export function client(): RendererClient {
  if (!current) throw new Error('The DocuMind client is used before start-up set it.')
  return current
}

export type { RendererClient, ConnectionState, DropFailure } from './types'
