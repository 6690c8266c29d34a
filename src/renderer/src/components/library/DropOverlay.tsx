import { useTranslation } from 'react-i18next'
import { useAppStore } from '../../store'

/** Shown while files are dragged over the window: letting go adds them to the library. */
export function DropOverlay() {
  const { t } = useTranslation()
  const shown = useAppStore((s) => s.dropOverlay)
  if (!shown) return null
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-box">{t('library.dropOverlay')}</div>
    </div>
  )
}
