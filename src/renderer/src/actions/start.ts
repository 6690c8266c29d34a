/**
 * Start-up: connects the store to the client's events, and on every (re)connect reloads what the
 * window shows and rejoins the open room, since the host forgets a connection's rooms when it drops.
 */
import { launchToken, setClient, type RendererClient } from '../client'
import { systemLanguage } from '../i18n'
import { useAppStore } from '../store'
import { chatsChanged, loadChats } from './chats'
import { installDropHandling } from './drop'
import { importStateChanged, libraryChanged, loadDocuments, loadImportState } from './library'
import { forgetRooms, handleRoomEvent, joinRoom } from './room'
import { applyAppearance, loadSettings, ollamaStatusChanged, pullProgressed, refreshOllama } from './settings'
import { navigate, parseRoute } from './ui'

export function startApp(rendererClient: RendererClient): void {
  setClient(rendererClient)
  useAppStore.setState({ systemLanguage: systemLanguage() })
  applyAppearance({ language: 'system', theme: 'system' })

  rendererClient.on('room.event', handleRoomEvent)
  rendererClient.on('import.state', importStateChanged)
  rendererClient.on('library.changed', libraryChanged)
  rendererClient.on('chats.changed', chatsChanged)
  rendererClient.on('ollama.status', ollamaStatusChanged)
  rendererClient.on('ollama.pull', pullProgressed)

  rendererClient.onConnection((state) => {
    useAppStore.setState({ connection: state })
    if (state === 'open') void onConnected()
  })

  installDropHandling()
  window.addEventListener('hashchange', () => void applyRoute())
  window.addEventListener('languagechange', () => {
    useAppStore.setState({ systemLanguage: systemLanguage() })
    const settings = useAppStore.getState().settings
    if (settings) applyAppearance(settings)
  })
}

/** True when this page was opened without the web host's token (and is not the desktop app). */
export function missingToken(): boolean {
  return !window.documind && launchToken() === ''
}

async function onConnected(): Promise<void> {
  forgetRooms(parseRoute(window.location.hash).chatId)
  await Promise.all([loadSettings(), refreshOllama(), loadChats(), loadDocuments(), loadImportState()])
  await applyRoute()
}

/** Shows what the URL hash names; with no chat named, the most recent one. */
async function applyRoute(): Promise<void> {
  const route = parseRoute(window.location.hash)
  useAppStore.setState({ view: route.view, citationPanel: null })
  if (route.view !== 'chat') return
  if (!route.chatId) {
    const latest = useAppStore.getState().chats[0]
    useAppStore.setState({ currentChatId: null })
    if (latest) navigate('chat', latest.id, true)
    return
  }
  useAppStore.setState({ currentChatId: route.chatId })
  await joinRoom(route.chatId)
}
