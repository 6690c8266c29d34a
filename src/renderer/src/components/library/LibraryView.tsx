/**
 * The library: add documents (drop anywhere, or a picker), watch the import, and the list. The
 * picker is the host's own dialog where there is one (desktop); in a browser, file inputs.
 */
import { useRef, type ChangeEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { confirmRebuildIndex, importDropped, pickNatively } from '../../actions/library'
import { useAppStore } from '../../store'
import { DocumentList } from './DocumentList'
import { ImportProgress } from './ImportProgress'
import { filesFromInput } from '../../files/dropped-files'

export function LibraryView() {
  const { t } = useTranslation()
  const filesInput = useRef<HTMLInputElement>(null)
  const folderInput = useRef<HTMLInputElement>(null)
  const hasDocuments = useAppStore((s) => s.documents.length > 0)
  const importing = useAppStore((s) => !!s.importState?.running)

  const pick = async (folders: boolean): Promise<void> => {
    if (await pickNatively(folders)) return
    ;(folders ? folderInput : filesInput).current?.click()
  }
  const onChosen = (event: ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(event.target.files)
    // Cleared so choosing the same files again still fires a change.
    event.target.value = ''
    void importDropped(files)
  }

  return (
    <section className="library-view" aria-labelledby="library-title">
      <header className="view-header">
        <h1 id="library-title">{t('library.title')}</h1>
        {hasDocuments ? (
          <button type="button" className="button" onClick={confirmRebuildIndex} disabled={importing} title={t('library.rebuildHint')}>
            {t('library.rebuild')}
          </button>
        ) : null}
      </header>
      <div className="drop-hint">
        <p>
          {t('library.dropHint')}{' '}
          <button type="button" className="button button-primary" onClick={() => void pick(false)}>
            {t('library.addFiles')}
          </button>{' '}
          <button type="button" className="button" onClick={() => void pick(true)}>
            {t('library.addFolder')}
          </button>
        </p>
        <p className="muted">{t('library.formats')}</p>
        <input ref={filesInput} type="file" multiple hidden onChange={onChosen} data-testid="file-input" />
        <input ref={folderInput} type="file" multiple hidden onChange={onChosen} {...{ webkitdirectory: '' }} data-testid="folder-input" />
      </div>
      <ImportProgress />
      <DocumentList />
    </section>
  )
}
