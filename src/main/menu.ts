/**
 * The application menu as data. Besides the usual editing roles (which also give copy and paste
 * their shortcuts on macOS), it has "New window": a second window is a second session of the
 * broker, so two windows on the same chat both see its stream.
 */
import type { MenuItemConstructorOptions } from 'electron'

/** What the menu needs from the app. */
export interface MenuActions {
  newWindow(): void
  isMac: boolean
  /** Developer tools are offered only in an unpackaged build. */
  devTools: boolean
}

/** The menu template, built from plain data so a test can read it. */
export function menuTemplate(actions: MenuActions): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'new-window', label: 'New Window', accelerator: 'CmdOrCtrl+N', click: () => actions.newWindow() },
      { type: 'separator' },
      actions.isMac ? { role: 'close' } : { role: 'quit' }
    ]
  }
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(actions.devTools ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' }
    ]
  }
  return [...(actions.isMac ? [{ role: 'appMenu' } as const] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }]
}
