/** Settings, the model server's status, and pulling models. */
import type { EventPayload, SettingsValue } from '../../../shared/contract'
import { client } from '../client'
import { applyLanguage, i18n } from '../i18n'
import { useAppStore } from '../store'
import { showNotice } from './ui'

export async function loadSettings(): Promise<void> {
  const result = await client().invoke('settings.get', {})
  if (!result.ok) {
    useAppStore.setState({ settingsError: result.error.message })
    return
  }
  useAppStore.setState({ settings: result.value, settingsError: null })
  applyAppearance(result.value)
}

/** Saves some settings; the host answers with all of them as saved. */
export async function saveSettings(change: Partial<SettingsValue>, announce = true): Promise<boolean> {
  const result = await client().invoke('settings.set', change)
  if (!result.ok) {
    useAppStore.setState({ settingsError: result.error.message, reindexOffered: result.error.code === 'embedder-mismatch' })
    return false
  }
  useAppStore.setState({ settings: result.value, settingsError: null, reindexOffered: false })
  applyAppearance(result.value)
  if (announce) showNotice(i18n.t('settings.saved'))
  if (change.ollamaHost) void refreshOllama()
  return true
}

export async function refreshOllama(): Promise<void> {
  const result = await client().invoke('ollama.status', {})
  if (result.ok) useAppStore.setState({ ollama: result.value })
}

export function ollamaStatusChanged(status: EventPayload<'ollama.status'>): void {
  useAppStore.setState({ ollama: status })
}

export async function pullModel(model: string): Promise<void> {
  const name = model.trim()
  if (!name) return
  useAppStore.setState((s) => ({ pulls: { ...s.pulls, [name]: { model: name, status: 'starting', done: false } } }))
  const result = await client().invoke('ollama.pull', { model: name })
  if (!result.ok) useAppStore.setState((s) => ({ pulls: { ...s.pulls, [name]: { model: name, status: 'failed', done: true, error: result.error.message } } }))
}

export function pullProgressed(progress: EventPayload<'ollama.pull'>): void {
  useAppStore.setState((s) => ({ pulls: { ...s.pulls, [progress.model]: progress } }))
  if (progress.done && !progress.error) {
    showNotice(i18n.t('settings.pullDone', { model: progress.model }))
    void refreshOllama()
  }
}

export async function reindexLibrary(): Promise<void> {
  useAppStore.setState({ reindexOffered: false, settingsError: null })
  const result = await client().invoke('library.reindex', {})
  if (!result.ok) useAppStore.setState({ settingsError: result.error.message })
}

/** Language and theme take effect at once, before and after the settings load. */
export function applyAppearance(settings: Pick<SettingsValue, 'language' | 'theme'>): void {
  applyLanguage(settings.language)
  document.documentElement.dataset.theme = settings.theme
}
