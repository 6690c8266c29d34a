import { useTranslation } from 'react-i18next'
import { dismissNotice } from '../../actions/ui'
import { useAppStore } from '../../store'

/** A short message at the bottom of the window (an export saved, a file could not open). */
export function Notice() {
  const { t } = useTranslation()
  const notice = useAppStore((s) => s.notice)
  return (
    <div className="notice-region" role="status" aria-live="polite">
      {notice ? (
        <div className="notice">
          <span>{notice}</span>
          <button type="button" className="button icon-button" onClick={dismissNotice} aria-label={t('common.close')}>
            ✕
          </button>
        </div>
      ) : null}
    </div>
  )
}
