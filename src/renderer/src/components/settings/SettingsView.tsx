/**
 * Settings: the Ollama host with its live status, the chat and embedding models from what is
 * installed, pulling a model, language and theme. Each change is saved through settings.set.
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { SettingsValue } from '../../../../shared/contract'
import { refreshOllama, reindexLibrary, saveSettings } from '../../actions/settings'
import { useAppStore } from '../../store'
import { PullModel } from './PullModel'

export function SettingsView() {
  const { t } = useTranslation()
  const settings = useAppStore((s) => s.settings)
  const error = useAppStore((s) => s.settingsError)
  const reindexOffered = useAppStore((s) => s.reindexOffered)
  return (
    <section className="settings-view" aria-labelledby="settings-title">
      <header className="view-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </header>
      {error ? (
        <div className="room-error" role="alert">
          <p>{reindexOffered ? t('settings.reindexOffer') : error}</p>
          {reindexOffered ? (
            <button type="button" className="button button-primary" onClick={() => void reindexLibrary()}>
              {t('settings.reindex')}
            </button>
          ) : null}
        </div>
      ) : null}
      {settings ? (
        <>
          <OllamaSection settings={settings} />
          <AppearanceSection settings={settings} />
        </>
      ) : null}
    </section>
  )
}

function OllamaSection({ settings }: { settings: SettingsValue }) {
  const { t } = useTranslation()
  const status = useAppStore((s) => s.ollama)
  const [host, setHost] = useState(settings.ollamaHost)
  const models = status?.models ?? []
  const chatModels = models.filter((m) => !m.isEmbedding)
  const embeddingModels = models.filter((m) => m.isEmbedding)
  const embedderValue = settings.embedder.kind === 'builtin' ? '' : settings.embedder.model
  // A saved model that is not installed (any more) still shows, so the choice is not silently lost.
  const chatNames = withSaved(chatModels.map((m) => m.name), settings.chatModel)
  const embedNames = withSaved(embeddingModels.map((m) => m.name), embedderValue || null)

  return (
    <section className="settings-section" aria-labelledby="ollama-title">
      <h2 id="ollama-title">{t('settings.ollama')}</h2>
      <form
        className="field-row"
        onSubmit={(event) => {
          event.preventDefault()
          void saveSettings({ ollamaHost: host.trim() })
        }}
      >
        <label htmlFor="ollama-host">{t('settings.host')}</label>
        <input id="ollama-host" className="input" type="url" value={host} onChange={(e) => setHost(e.target.value)} required />
        <button type="submit" className="button button-primary">
          {t('settings.apply')}
        </button>
        <button type="button" className="button" onClick={() => void refreshOllama()}>
          {t('settings.check')}
        </button>
      </form>
      <p className={`ollama-status ${status?.reachable ? 'ok' : 'bad'}`} role="status" data-testid="ollama-status">
        <span className="dot" aria-hidden="true" />
        {!status
          ? t('settings.checking')
          : status.reachable
            ? t('settings.reachable', { version: status.version ?? '?', count: status.models.length })
            : t('settings.unreachable', { reason: status.error?.message ?? status.host })}
      </p>
      <div className="field-row">
        <label htmlFor="chat-model">{t('settings.chatModel')}</label>
        <select id="chat-model" className="input" value={settings.chatModel ?? ''} onChange={(e) => void saveSettings({ chatModel: e.target.value || null })}>
          <option value="">{t('settings.firstInstalled')}</option>
          {chatNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <label htmlFor="embed-model">{t('settings.embedder')}</label>
        <select
          id="embed-model"
          className="input"
          value={embedderValue}
          onChange={(e) => void saveSettings({ embedder: e.target.value ? { kind: 'ollama', model: e.target.value } : { kind: 'builtin' } })}
        >
          <option value="">{t('settings.builtinEmbedder')}</option>
          {embedNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <p className="muted">{t('settings.embedderNote')}</p>
      <PullModel />
    </section>
  )
}

function AppearanceSection({ settings }: { settings: SettingsValue }) {
  const { t } = useTranslation()
  return (
    <section className="settings-section" aria-labelledby="appearance-title">
      <h2 id="appearance-title">{t('settings.appearance')}</h2>
      <div className="field-row">
        <label htmlFor="language">{t('settings.language')}</label>
        <select id="language" className="input" value={settings.language} onChange={(e) => void saveSettings({ language: e.target.value as SettingsValue['language'] })}>
          <option value="system">{t('settings.system')}</option>
          <option value="en">English</option>
          <option value="zh-TW">繁體中文</option>
        </select>
      </div>
      <div className="field-row">
        <label htmlFor="theme">{t('settings.theme')}</label>
        <select id="theme" className="input" value={settings.theme} onChange={(e) => void saveSettings({ theme: e.target.value as SettingsValue['theme'] })}>
          <option value="system">{t('settings.system')}</option>
          <option value="light">{t('settings.light')}</option>
          <option value="dark">{t('settings.dark')}</option>
        </select>
      </div>
    </section>
  )
}

function withSaved(names: string[], saved: string | null): string[] {
  return saved && !names.includes(saved) ? [saved, ...names] : names
}
