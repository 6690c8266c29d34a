/**
 * The Electron hardening, asserted over the real set-up functions the main process calls. Where a
 * function takes an Electron object, a small fake records what was registered, and the test then
 * calls the registered handler the way Electron would and checks that it refuses.
 */
import { describe, expect, it } from 'vitest'
import {
  APP_ENTRY_URL,
  cspHeader,
  hardenContents,
  hardenSession,
  isAllowedSender,
  isAppUrl,
  isLocalRequest,
  windowOptions,
  type CancellableEvent,
  type HardenableContents,
  type HardenableSession,
  type IpcSender
} from '../../src/main/hardening'
import { menuTemplate } from '../../src/main/menu'

/** A webContents that records its listeners and window-open handler. */
class RecordingContents implements HardenableContents {
  readonly listeners = new Map<string, (event: CancellableEvent) => void>()
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | undefined
  on(event: string, listener: (event: CancellableEvent) => void): this {
    this.listeners.set(event, listener)
    return this
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler
  }
  /** Emits an event as Electron would and tells whether a listener cancelled it. */
  emit(name: string, url: string): boolean {
    let prevented = false
    this.listeners.get(name)?.({ preventDefault: () => (prevented = true), url } as CancellableEvent)
    return prevented
  }
}

/** A session that records its handlers. */
class RecordingSession implements HardenableSession {
  requestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined
  checkHandler: ((contents: unknown, permission: string) => boolean) | undefined
  deviceHandler: (() => boolean) | undefined
  spellChecker: boolean | undefined
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | undefined
  setPermissionRequestHandler(handler: NonNullable<RecordingSession['requestHandler']>): void {
    this.requestHandler = handler
  }
  setPermissionCheckHandler(handler: NonNullable<RecordingSession['checkHandler']>): void {
    this.checkHandler = handler
  }
  setDevicePermissionHandler(handler: () => boolean): void {
    this.deviceHandler = handler
  }
  setSpellCheckerEnabled(enabled: boolean): void {
    this.spellChecker = enabled
  }
  webRequest = {
    onBeforeRequest: (handler: NonNullable<RecordingSession['beforeRequest']>): void => {
      this.beforeRequest = handler
    }
  }
  cancels(url: string): boolean {
    let cancel: boolean | undefined
    this.beforeRequest?.({ url }, (response) => (cancel = response.cancel))
    if (cancel === undefined) throw new Error('the request handler did not answer')
    return cancel
  }
}

const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'midiSysex', 'openExternal', 'hid', 'serial', 'usb', 'fullscreen', 'unknown']

describe('window options', () => {
  const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences ?? {}

  it('isolate and sandbox the page, with no Node', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keep web security on, and webviews, insecure content and drop-navigation off', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.navigateOnDragDrop).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.disableBlinkFeatures).toBe('Auxclick')
  })

  it('turn spellcheck off, since Chromium would download its dictionaries', () => {
    expect(prefs.spellcheck).toBe(false)
  })

  it('load the given preload', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
  })
})

describe('Content-Security-Policy', () => {
  const directives = new Map(
    cspHeader()
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...sources]) => [name ?? '', sources] as const)
  )

  it('names no remote origin or scheme anywhere', () => {
    for (const [, sources] of directives) {
      for (const source of sources) {
        expect(source).not.toMatch(/^(https?|wss?|ftp):|\*|\.[a-z]{2,}(?::|$|\/)/i)
      }
    }
  })

  it('forbids inline and eval script', () => {
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(cspHeader()).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/)
  })

  it('defaults to nothing, and forbids plugins, frames, base and forms', () => {
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
    expect(directives.get('form-action')).toEqual(["'none'"])
  })

  it('lets the page connect only to its own origin', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"])
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:'])
  })
})

describe('webContents hardening', () => {
  const contents = new RecordingContents()
  const log: string[] = []
  hardenContents(contents, (message) => log.push(message))

  it('cancels navigation of the window, of any frame, and redirects', () => {
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', APP_ENTRY_URL]) {
      expect(contents.emit('will-navigate', url)).toBe(true)
      expect(contents.emit('will-frame-navigate', url)).toBe(true)
      expect(contents.emit('will-redirect', url)).toBe(true)
    }
    expect(log.some((line) => line.includes('https://example.com/'))).toBe(true)
  })

  it('denies every new window, external links included', () => {
    expect(contents.windowOpenHandler).toBeDefined()
    for (const url of ['https://example.com/', 'http://127.0.0.1:11434/', 'about:blank', APP_ENTRY_URL]) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' })
    }
  })

  it('refuses to attach a webview', () => {
    expect(contents.emit('will-attach-webview', 'https://example.com/')).toBe(true)
  })
})

describe('session hardening', () => {
  const session = new RecordingSession()
  hardenSession(session)

  it('denies every permission request and check', () => {
    for (const permission of PERMISSIONS) {
      let granted: boolean | undefined
      session.requestHandler?.({}, permission, (answer) => (granted = answer))
      expect(granted, permission).toBe(false)
      expect(session.checkHandler?.({}, permission), permission).toBe(false)
    }
    expect(session.deviceHandler?.()).toBe(false)
  })

  it('turns the spellchecker off', () => {
    expect(session.spellChecker).toBe(false)
  })

  it('cancels every request that leaves the app, and lets the app load its own files', () => {
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:11434/api/tags', 'ws://127.0.0.1:1/', 'file:///etc/passwd', 'app://elsewhere/index.html', 'not a url']) {
      expect(session.cancels(url), url).toBe(true)
    }
    for (const url of [APP_ENTRY_URL, 'app://documind/assets/index.js', 'data:image/png;base64,AA==', 'blob:app://documind/1']) {
      expect(session.cancels(url), url).toBe(false)
    }
  })

  it('agrees with isLocalRequest', () => {
    expect(isLocalRequest('https://cdn.example.com/react.js')).toBe(false)
    expect(isLocalRequest(APP_ENTRY_URL)).toBe(true)
  })
})

describe('IPC sender check', () => {
  const mainFrame = { url: APP_ENTRY_URL, parent: null }
  const ours = (id: number) => id === 7
  const event = (overrides: Partial<IpcSender> = {}): IpcSender => ({ sender: { id: 7, mainFrame }, senderFrame: mainFrame, ...overrides })

  it('accepts the top frame of one of our windows showing the app', () => {
    expect(isAllowedSender(event(), ours)).toBe(true)
    expect(isAllowedSender(event({ senderFrame: { url: 'app://documind/index.html#/chat/1', parent: null }, sender: { id: 7 } }), ours)).toBe(true)
  })

  it('refuses another webContents', () => {
    expect(isAllowedSender(event({ sender: { id: 8, mainFrame } }), ours)).toBe(false)
  })

  it('refuses a subframe, a vanished frame, and a frame that is not the main one', () => {
    expect(isAllowedSender(event({ senderFrame: { url: APP_ENTRY_URL, parent: mainFrame } }), ours)).toBe(false)
    expect(isAllowedSender(event({ senderFrame: null }), ours)).toBe(false)
    expect(isAllowedSender(event({ senderFrame: { url: APP_ENTRY_URL, parent: null } }), ours)).toBe(false)
  })

  it('refuses a foreign origin in our window', () => {
    for (const url of ['https://evil.example/', 'file:///tmp/page.html', 'app://other/index.html', 'app://user@documind/index.html', 'about:blank', 'devtools://devtools/bundled/inspector.html']) {
      const frame = { url, parent: null }
      expect(isAllowedSender({ sender: { id: 7, mainFrame: frame }, senderFrame: frame }, ours), url).toBe(false)
      expect(isAppUrl(url), url).toBe(false)
    }
  })
})

describe('menu', () => {
  it('offers New Window on Ctrl/Cmd+N, which opens a window', () => {
    let opened = 0
    const template = menuTemplate({ newWindow: () => (opened += 1), isMac: false, devTools: false })
    const items = template.flatMap((menu) => (Array.isArray(menu.submenu) ? menu.submenu : []))
    const newWindow = items.find((item) => item.accelerator === 'CmdOrCtrl+N')
    expect(newWindow?.label).toBe('New Window')
    // Electron passes the item, the window and the keyboard event; the handler reads none of them.
    newWindow?.click?.({} as never, undefined, {} as never)
    expect(opened).toBe(1)
    expect(items.some((item) => item.role === 'toggleDevTools')).toBe(false)
  })
})
