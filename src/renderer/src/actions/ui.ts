/**
 * Navigation, the citation panel, confirmations and notices. The route lives in the URL hash
 * (#/chat/<id>, #/library, #/settings) so a reload, or a second window given the same address,
 * opens the same place.
 */
import type { CitationValue } from '../../../shared/contract'
import { client } from '../client'
import { i18n } from '../i18n'
import { useAppStore, type View } from '../store'

export interface Route {
  view: View
  chatId: string | null
}

export function parseRoute(hash: string): Route {
  const [, view = 'chat', id] = hash.replace(/^#/, '').split('/')
  if (view === 'library' || view === 'settings') return { view, chatId: null }
  return { view: 'chat', chatId: id ? decodeURIComponent(id) : null }
}

export function routeHash(route: Route): string {
  return route.view === 'chat' ? (route.chatId ? `#/chat/${encodeURIComponent(route.chatId)}` : '#/chat') : `#/${route.view}`
}

/** Goes to a view (and chat); the hashchange listener does the rest. */
export function navigate(view: View, chatId: string | null = null, replace = false): void {
  const hash = routeHash({ view, chatId })
  if (window.location.hash === hash) return
  if (replace) {
    history.replaceState(null, '', hash)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  } else {
    window.location.hash = hash
  }
}

export async function openCitation(citation: CitationValue): Promise<void> {
  useAppStore.setState({ citationPanel: { citation, passage: null, error: null } })
  const result = await client().invoke('library.passage', { docId: citation.docId, chunkId: citation.chunkId })
  useAppStore.setState((s) => {
    // The panel may have moved on to another citation while this one loaded.
    if (s.citationPanel?.citation !== citation) return {}
    return { citationPanel: result.ok ? { citation, passage: result.value, error: null } : { citation, passage: null, error: result.error } }
  })
}

export function closeCitation(): void {
  useAppStore.setState({ citationPanel: null })
}

export async function openFile(docId: string): Promise<void> {
  const result = await client().invoke('library.openFile', { docId })
  if (result.ok) return
  if (result.error.code === 'unsupported') {
    useAppStore.setState({ canOpenFiles: false })
    showNotice(i18n.t('citation.openFileUnsupported'))
  } else {
    showNotice(result.error.message)
  }
}

/** Asks the user before something that cannot be undone. */
export function askToConfirm(message: string, confirmLabel: string, onConfirm: () => void): void {
  useAppStore.setState({ confirmation: { message, confirmLabel, onConfirm } })
}

export function answerConfirmation(confirmed: boolean): void {
  const pending = useAppStore.getState().confirmation
  useAppStore.setState({ confirmation: null })
  if (confirmed) pending?.onConfirm()
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined

/** Shows a short message for a few seconds. */
export function showNotice(text: string): void {
  clearTimeout(noticeTimer)
  useAppStore.setState({ notice: text })
  noticeTimer = setTimeout(() => useAppStore.setState({ notice: null }), 6000)
}

export function dismissNotice(): void {
  clearTimeout(noticeTimer)
  useAppStore.setState({ notice: null })
}
