/**
 * The import in progress: overall progress (files and bytes), a bar for each file being read,
 * cancel, and what failed with its reason. Failures are capped on screen: a folder of ten
 * thousand unreadable files should not become ten thousand DOM nodes.
 */
import { useTranslation } from 'react-i18next'
import { cancelImport, dismissImportReport } from '../../actions/library'
import { useAppStore } from '../../store'

const SHOWN_FAILURES = 100

export function ImportProgress() {
  const { t } = useTranslation()
  const state = useAppStore((s) => s.importState)
  const handoff = useAppStore((s) => s.handoff)
  const handoffFailures = useAppStore((s) => s.handoffFailures)
  const error = useAppStore((s) => s.libraryError)

  const failures = [...handoffFailures.map((f) => ({ path: f.name, reason: f.reason })), ...(state?.failures ?? [])]
  const finished = state !== null && !state.running && state.filesTotal > 0
  if (!handoff && !state?.running && !finished && failures.length === 0 && !error) return null

  return (
    <section className="import-progress" aria-label={t('library.overall')} data-testid="import-progress">
      {handoff ? (
        <div className="progress-block">
          <p>{t('library.uploading', { done: handoff.done, total: handoff.total })}</p>
          <progress max={handoff.total} value={handoff.done} aria-label={t('library.uploading', { done: handoff.done, total: handoff.total })} />
        </div>
      ) : null}
      {state?.running && state.stage !== 'reading' ? (
        <p className="import-stage" role="status">
          {state.stage === 'indexing' ? t('library.stageIndexing', { chunks: state.chunks }) : t('library.stageSearchable', { indexed: state.indexed, chunks: state.chunks })}
        </p>
      ) : null}
      {state?.running && state.stage === 'reading' ? (
        <div className="progress-block">
          <div className="progress-head">
            <p>{t('library.importing', { done: state.filesDone, total: state.filesTotal })}</p>
            <button type="button" className="button" onClick={() => void cancelImport()}>
              {t('library.cancel')}
            </button>
          </div>
          <progress className="overall" max={Math.max(1, state.bytesTotal)} value={state.bytesDone} aria-label={t('library.overall')} />
          {state.current.length > 0 ? (
            <ul className="current-files" aria-label={t('library.reading')}>
              {state.current.slice(0, 8).map(({ path, fraction }) => (
                <li key={path}>
                  <span className="current-name" title={path}>
                    {baseName(path)}
                  </span>
                  {/* Nothing measured yet (just started) shows as an indeterminate bar, not as 0 %. */}
                  {fraction > 0 ? <progress aria-label={baseName(path)} max={1} value={fraction} /> : <progress aria-label={baseName(path)} />}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {finished ? (
        <p className="import-done" role="status">
          {state.cancelled
            ? t('library.importCancelled', { done: state.filesDone, total: state.filesTotal })
            : t('library.importDone', { indexed: state.indexed, chunks: state.chunks })}
          {state.skipped > 0 ? ` ${t('library.skipped', { count: state.skipped })}` : ''}
        </p>
      ) : null}
      {state?.error || error ? (
        <p className="room-error" role="alert">
          {state?.error ?? error}
        </p>
      ) : null}
      {failures.length > 0 ? (
        <details className="failures" open={failures.length <= 10}>
          <summary>{t('library.failures', { count: failures.length })}</summary>
          <ul>
            {failures.slice(0, SHOWN_FAILURES).map((f, i) => (
              <li key={`${f.path}:${i}`}>
                <span className="failure-name" title={f.path}>
                  {baseName(f.path)}
                </span>
                <span className="failure-reason">{f.reason}</span>
              </li>
            ))}
          </ul>
          {failures.length > SHOWN_FAILURES ? <p className="muted">{t('library.moreFailures', { count: failures.length - SHOWN_FAILURES })}</p> : null}
        </details>
      ) : null}
      {!handoff && !state?.running ? (
        <button type="button" className="button" onClick={dismissImportReport}>
          {t('library.dismiss')}
        </button>
      ) : null}
    </section>
  )
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path
}
