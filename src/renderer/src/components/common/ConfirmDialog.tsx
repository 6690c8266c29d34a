import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { answerConfirmation } from '../../actions/ui'
import { useAppStore } from '../../store'

/**
 * Asks before something that cannot be undone. A native modal <dialog> gives focus trapping and
 * Escape for free, in every host.
 */
export function ConfirmDialog() {
  const { t } = useTranslation()
  const confirmation = useAppStore((s) => s.confirmation)
  const ref = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (confirmation && !dialog.open) dialog.showModal()
    if (!confirmation && dialog.open) dialog.close()
  }, [confirmation])

  return (
    <dialog ref={ref} className="confirm-dialog" aria-labelledby="confirm-message" onClose={() => answerConfirmation(false)}>
      <p id="confirm-message">{confirmation?.message}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => answerConfirmation(false)} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-danger" onClick={() => answerConfirmation(true)}>
          {confirmation?.confirmLabel ?? t('common.confirm')}
        </button>
      </div>
    </dialog>
  )
}
