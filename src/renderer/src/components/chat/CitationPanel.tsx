/**
 * The side panel a citation chip opens: the cited passage with the text around it, its document,
 * page and section, and a button to open the file (hidden where the host cannot open files).
 */
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { closeCitation, openFile } from '../../actions/ui'
import { useAppStore } from '../../store'

export function CitationPanel() {
  const { t } = useTranslation()
  const panel = useAppStore((s) => s.citationPanel)
  const canOpenFiles = useAppStore((s) => s.canOpenFiles)
  const headingRef = useRef<HTMLHeadingElement>(null)
  const passageRef = useRef<HTMLQuoteElement>(null)
  const markRef = useRef<HTMLElement>(null)

  // Focus follows the panel, so keyboard users land in it; Escape closes it.
  useEffect(() => {
    if (panel) headingRef.current?.focus()
  }, [panel?.citation])
  // The text before the passage can be long: start the view at the passage itself. Scrolled by
  // hand, because scrollIntoView would also scroll the window's own (overflow: hidden) boxes.
  useEffect(() => {
    const box = passageRef.current
    const mark = markRef.current
    if (box && mark) box.scrollTop = Math.max(0, mark.offsetTop - 12)
  }, [panel?.passage])
  useEffect(() => {
    if (!panel) return
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') closeCitation()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [panel])

  if (!panel) return null
  const { citation, passage, error } = panel
  const page = passage ? passage.page : citation.page
  const headings = passage ? passage.headings : citation.headings
  return (
    <aside className="citation-panel" aria-labelledby="citation-title" data-testid="citation-panel">
      <header className="panel-header">
        <h2 id="citation-title" ref={headingRef} tabIndex={-1}>
          {t('citation.title', { n: citation.n })}
        </h2>
        <button type="button" className="button icon-button" onClick={closeCitation} aria-label={t('citation.close')}>
          ✕
        </button>
      </header>
      <dl className="citation-meta">
        <dt>{t('citation.document')}</dt>
        <dd className="citation-document" title={passage?.path ?? citation.path}>
          {passage?.document ?? citation.document}
        </dd>
        <dt>{t('citation.pageLabel')}</dt>
        <dd className="citation-page">{page !== null ? page : t('citation.noPage')}</dd>
        {headings.length > 0 ? (
          <>
            <dt>{t('citation.section')}</dt>
            <dd className="citation-headings">{headings.join(' › ')}</dd>
          </>
        ) : null}
      </dl>
      {error ? (
        <p className="room-error" role="alert">
          {error.message}
        </p>
      ) : (
        <blockquote className="passage" aria-busy={passage === null} ref={passageRef}>
          {passage ? (
            <>
              {passage.before ? <span className="passage-context">{passage.before}</span> : null}
              <mark className="passage-text" ref={markRef}>
                {passage.text}
              </mark>
              {passage.after ? <span className="passage-context">{passage.after}</span> : null}
            </>
          ) : (
            <>
              <span className="visually-hidden">{t('citation.loading')}</span>
              <mark className="passage-text">{citation.text}</mark>
            </>
          )}
        </blockquote>
      )}
      {canOpenFiles ? (
        <button type="button" className="button button-primary" onClick={() => void openFile(citation.docId)}>
          {t('citation.openFile')}
        </button>
      ) : (
        <p className="muted">{t('citation.openFileUnsupported')}</p>
      )}
    </aside>
  )
}
