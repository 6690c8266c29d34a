/**
 * Files and folders can be dropped anywhere on the window. The listeners sit on the window from
 * start-up (not in a component's effect), so a drop is taken however early it comes; the overlay
 * that says what letting go will do is plain state in the store.
 */
import { filesFromDrop } from '../files/dropped-files'
import { useAppStore } from '../store'
import { importDropped } from './library'
import { navigate } from './ui'

const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false

export function installDropHandling(): void {
  // dragenter/dragleave fire for every child crossed; count them to know when the drag left.
  let depth = 0
  const setOverlay = (dropOverlay: boolean): void => {
    if (useAppStore.getState().dropOverlay !== dropOverlay) useAppStore.setState({ dropOverlay })
  }
  window.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    depth++
    setOverlay(true)
  })
  window.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
  })
  window.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return
    depth = Math.max(0, depth - 1)
    if (depth === 0) setOverlay(false)
  })
  window.addEventListener('drop', (event) => {
    // Without this the browser would navigate to the dropped file.
    event.preventDefault()
    depth = 0
    setOverlay(false)
    if (!event.dataTransfer) return
    void filesFromDrop(event.dataTransfer).then((files) => {
      if (files.length === 0) return
      // The library is where the import's progress is.
      navigate('library')
      return importDropped(files)
    })
  })
}
