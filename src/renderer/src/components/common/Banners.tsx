import { useTranslation } from 'react-i18next'
import { missingToken } from '../../actions/start'
import { navigate } from '../../actions/ui'
import { useAppStore } from '../../store'

/** Says when the window is not connected to the app (web host stopped, or no token in the address). */
export function ConnectionBanner() {
  const { t } = useTranslation()
  const connection = useAppStore((s) => s.connection)
  if (missingToken()) {
    return (
      <div className="banner banner-error" role="alert">
        {t('connection.noToken')}
      </div>
    )
  }
  if (connection === 'open') return null
  return (
    <div className="banner banner-warning" role="status">
      {connection === 'connecting' ? t('connection.connecting') : t('connection.reconnecting')}
    </div>
  )
}

/**
 * Says when Ollama cannot be reached, or answers but with an error (a server error, a broken
 * reply), and what still works without it.
 */
export function OllamaBanner() {
  const { t } = useTranslation()
  const reachable = useAppStore((s) => s.ollama?.reachable ?? true)
  const error = useAppStore((s) => s.ollama?.error?.message ?? null)
  const host = useAppStore((s) => s.ollama?.host ?? '')
  const view = useAppStore((s) => s.view)
  if (reachable && !error) return null
  const state = reachable ? 'failing' : 'unreachable'
  return (
    <div className="banner banner-warning" role="status" data-testid="ollama-banner" data-state={state}>
      <p>
        {reachable ? (
          <>
            <strong>{t('ollama.failingTitle')}</strong> {t('ollama.failingBody', { host, error })}
          </>
        ) : (
          <>
            <strong>{t('ollama.unreachableTitle')}</strong> {t('ollama.unreachableBody', { host })}
          </>
        )}
      </p>
      {view === 'settings' ? null : (
        <button type="button" className="button" onClick={() => navigate('settings')}>
          {t('ollama.openSettings')}
        </button>
      )}
    </div>
  )
}
