import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { pullModel } from '../../actions/settings'
import { useAppStore } from '../../store'

/** Downloads a model into Ollama, with the progress `ollama.pull` events report. */
export function PullModel() {
  const { t } = useTranslation()
  const [name, setName] = useState('')
  const pulls = useAppStore((s) => s.pulls)
  const reachable = useAppStore((s) => s.ollama?.reachable ?? false)
  return (
    <div className="pull-model">
      <form
        className="field-row"
        onSubmit={(event) => {
          event.preventDefault()
          void pullModel(name)
          setName('')
        }}
      >
        <label htmlFor="pull-name">{t('settings.pull')}</label>
        <input id="pull-name" className="input" value={name} placeholder="llama3.2" onChange={(e) => setName(e.target.value)} maxLength={200} />
        <button type="submit" className="button" disabled={!reachable || !name.trim()}>
          {t('settings.pullButton')}
        </button>
      </form>
      {Object.values(pulls).map((pull) => (
        <div key={pull.model} className="pull-progress" data-testid="pull-progress">
          <span className="pull-name">{pull.model}</span>
          {pull.done ? null : <progress max={pull.total ?? 1} value={pull.total ? pull.completed ?? 0 : undefined} aria-label={`${pull.model}: ${pull.status}`} />}
          <span className={pull.error ? 'failure-reason' : 'muted'}>{pull.error ?? pull.status}</span>
        </div>
      ))}
    </div>
  )
}
