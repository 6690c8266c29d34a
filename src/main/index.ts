/**
 * DocuMind's Electron main process: a thin host that owns windows, menus, dialogs and the IPC
 * bridge, and hands everything else to the app service in src/core. The security set-up lives in
 * hardening.ts and protocol.ts as plain functions so that tests can assert it without Electron.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, type OpenDialogOptions } from 'electron'
import { createAppService, type AppService } from '../core/app/service'
import { APP_NAME, defaultLibraryDir } from '../core/paths'
import { IPC_CHANNELS } from '../shared/contract'
import { APP_ENTRY_URL, APP_SCHEME, hardenContents, hardenSession, windowOptions } from './hardening'
import { createInvokeListener, createWindowSessions, type WindowSessions } from './ipc'
import { menuTemplate } from './menu'
import { createAppProtocolHandler } from './protocol'

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url))

const warn = (message: string): void => console.warn(`[documind] ${message}`)

// The user-data folder is named after the app; the CLI computes the same folder (core/paths.ts).
app.setName(APP_NAME)
// Tests and portable set-ups can point the whole app at another folder.
if (process.env.DOCUMIND_USER_DATA) app.setPath('userData', process.env.DOCUMIND_USER_DATA)
// Every renderer sandboxed, whatever a future window's options say.
app.enableSandbox()
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }
])

let service: AppService | undefined
let sessions: WindowSessions | undefined

/** Opens a window showing the app; its webContents becomes one session of the service's broker. */
function openWindow(): BrowserWindow {
  if (!sessions) throw new Error('openWindow before the service started')
  const windowSessions = sessions
  const win = new BrowserWindow(windowOptions(preloadPath))
  const contents = win.webContents
  const id = contents.id
  windowSessions.open(contents)
  // A reload or a replaced renderer is a new page: its subscriptions start over.
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) windowSessions.renew(contents)
  })
  contents.on('render-process-gone', (_event, details) => {
    warn(`renderer of window ${id} is gone (${details.reason})`)
    windowSessions.renew(contents)
  })
  contents.once('destroyed', () => windowSessions.close(id))
  win.once('ready-to-show', () => win.show())
  win.loadURL(APP_ENTRY_URL).catch((error: unknown) => warn(`window ${id} failed to load: ${String(error)}`))
  return win
}

function focusOrOpenWindow(): void {
  const [first] = BrowserWindow.getAllWindows()
  if (!first) {
    openWindow()
    return
  }
  if (first.isMinimized()) first.restore()
  first.focus()
}

async function openFile(path: string): Promise<void> {
  // shell.openPath answers with an error message, or '' when the system viewer opened the file.
  const error = await shell.openPath(path)
  if (error) throw new Error(error)
}

async function pickPaths(folders: boolean): Promise<string[]> {
  const options: OpenDialogOptions = {
    title: folders ? 'Import folders' : 'Import files',
    properties: folders ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections']
  }
  const parent = BrowserWindow.getFocusedWindow()
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? [] : result.filePaths
}

async function ready(): Promise<void> {
  hardenSession(session.defaultSession, warn)
  session.defaultSession.protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir))
  const userData = app.getPath('userData')
  const libraryDir = defaultLibraryDir(process.env, userData)
  try {
    service = await createAppService({ libraryDir, settingsPath: join(userData, 'settings.json'), host: 'desktop', openFile, pickPaths })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    dialog.showErrorBox('DocuMind could not open its library', `${reason}\n\nLibrary folder: ${libraryDir}`)
    app.exit(1)
    return
  }
  sessions = createWindowSessions(service)
  ipcMain.handle(IPC_CHANNELS.invoke, createInvokeListener(sessions, service, warn))
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ newWindow: openWindow, isMac: process.platform === 'darwin', devTools: !app.isPackaged })))
  openWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
}

/** How long quitting waits for the service to stop its workers and close the library. */
const CLOSE_TIMEOUT_MS = 10_000

function quitCleanly(): void {
  let state: 'running' | 'closing' | 'closed' = 'running'
  app.on('before-quit', (event) => {
    const running = service
    if (state === 'closed' || !running) return
    // Hold the quit until imports and answers have stopped and the library is closed.
    event.preventDefault()
    if (state === 'closing') return
    state = 'closing'
    sessions?.closeAll()
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())
    Promise.race([running.close(), timeout])
      .catch((error: unknown) => warn(`closing the library failed: ${String(error)}`))
      .finally(() => {
        state = 'closed'
        app.quit()
      })
  })
}

// One process owns the library: a second launch focuses the first one's window instead.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, warn))
  app.on('second-instance', () => {
    if (sessions) focusOrOpenWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  quitCleanly()
  app.whenReady().then(ready).catch((error: unknown) => {
    warn(`startup failed: ${String(error)}`)
    app.exit(1)
  })
}
