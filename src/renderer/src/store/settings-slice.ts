import type { StateCreator } from 'zustand'
import type { EventPayload, OllamaStatusValue, SettingsValue } from '../../../shared/contract'
import type { AppState } from './index'

export type PullProgress = EventPayload<'ollama.pull'>

/** Saved settings, the model server's status, and model pulls. */
export interface SettingsSlice {
  settings: SettingsValue | null
  ollama: OllamaStatusValue | null
  /** Latest progress of each model pull, by model name. */
  pulls: Record<string, PullProgress>
  settingsError: string | null
  /** The embedder cannot change without rebuilding the index: the user is asked first. */
  reindexOffered: boolean
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = () => ({
  settings: null,
  ollama: null,
  pulls: {},
  settingsError: null,
  reindexOffered: false
})
