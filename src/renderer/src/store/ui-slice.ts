import type { StateCreator } from 'zustand'
import type { CitationValue, ErrorValue, RequestOutput } from '../../../shared/contract'
import type { ConnectionState } from '../client'
import type { AppState } from './index'

export type View = 'chat' | 'library' | 'settings'

export type Passage = RequestOutput<'library.passage'>

/** The citation panel: the cited hit at once, the passage with its context once loaded. */
export interface CitationPanelState {
  citation: CitationValue
  passage: Passage | null
  error: ErrorValue | null
}

/** A question waiting for a yes or no (removing a document, deleting a chat). */
export interface Confirmation {
  message: string
  confirmLabel: string
  onConfirm: () => void
}

/** What is on screen, and what this host turned out to support. */
export interface UiSlice {
  view: View
  connection: ConnectionState
  citationPanel: CitationPanelState | null
  confirmation: Confirmation | null
  /** False once the host answered library.openFile with 'unsupported'. */
  canOpenFiles: boolean
  /** False once the host answered library.pick with 'unsupported' (a browser): use file inputs. */
  canPickNatively: boolean
  /** The language the system prefers, resolved to one the UI has. */
  systemLanguage: 'en' | 'zh-TW'
  /** A short message that something happened (an export saved, a file could not open). */
  notice: string | null
  /** Files are being dragged over the window. */
  dropOverlay: boolean
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = () => ({
  view: 'chat',
  connection: 'connecting',
  citationPanel: null,
  confirmation: null,
  canOpenFiles: true,
  canPickNatively: true,
  systemLanguage: 'en',
  notice: null,
  dropOverlay: false
})
