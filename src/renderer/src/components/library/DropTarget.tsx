/**
 * Files and folders can be dropped anywhere on the window: the listeners sit on the window, and
 * an overlay says what letting go will do. Dropping also shows the library, where progress is.
 */
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { importDropped } from '../../actions/library'
import { navigate } from '../../actions/ui'
import { filesFromDrop } from './dropped-files'

const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false

export function DropTarget() {
  const { t } = useTranslation()
  const [over, setOver] = useState(false)

  useEffect(() => {
    // dragenter/dragleave fire for every child crossed; count them to know when the drag left.
    let depth = 0
    const onEnter = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth++
      setOver(true)
    }
    const onOver = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const onLeave = (event: DragEvent): void => {
      if (!carriesFiles(event)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) setOver(false)
    }
    const onDrop = (event: DragEvent): void => {
      // Without this the browser would navigate to the dropped file.
      event.preventDefault()
      depth = 0
      setOver(false)
      if (!event.dataTransfer) return
      void filesFromDrop(event.dataTransfer).then((files) => {
        if (files.length === 0) return
        navigate('library')
        return importDropped(files)
      })
    }
    window.addEventListener('dragenter', onEnter)
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnter)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [])

  if (!over) return null
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-box">{t('library.dropOverlay')}</div>
    </div>
  )
}
