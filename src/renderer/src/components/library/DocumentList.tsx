/**
 * The documents of the library, virtualised: only the rows on screen are in the DOM, so a library
 * of thousands of documents scrolls as smoothly as one of ten.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { DocumentValue } from '../../../../shared/contract'
import { confirmRemoveDocument, setDocumentFilter } from '../../actions/library'
import { useAppStore } from '../../store'
import { formatBytes } from './format'

const ROW_HEIGHT = 56
// One collator for every comparison: String.localeCompare builds one per call, which costs
// seconds when thousands of documents are sorted. Numeric, so "note-2" comes before "note-10".
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function DocumentList() {
  const { t, i18n } = useTranslation()
  const documents = useAppStore((s) => s.documents)
  const loaded = useAppStore((s) => s.documentsLoaded)
  const filter = useAppStore((s) => s.documentFilter)
  const scrollRef = useRef<HTMLDivElement>(null)

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase()
    const matching = needle ? documents.filter((d) => `${d.title ?? ''} ${d.name} ${d.path}`.toLowerCase().includes(needle)) : documents
    // Failures first (they need attention), then by name.
    return [...matching].sort((a, b) => Number(b.status === 'failed') - Number(a.status === 'failed') || collator.compare(a.title || a.name, b.title || b.name))
  }, [documents, filter])

  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 })

  if (loaded && documents.length === 0) return <p className="muted">{t('library.empty')}</p>
  return (
    <section className="documents" aria-label={t('library.count', { count: documents.length })}>
      <div className="documents-head">
        <h2>{t('library.count', { count: documents.length })}</h2>
        <input type="search" className="input" placeholder={t('library.filter')} aria-label={t('library.filter')} value={filter} onChange={(e) => setDocumentFilter(e.target.value)} />
      </div>
      <div className="document-row document-header" aria-hidden="true">
        <span>{t('library.name')}</span>
        <span>{t('library.status')}</span>
        <span className="num">{t('library.size')}</span>
        <span className="num">{t('library.chunks')}</span>
        <span className="num">{t('library.pages')}</span>
        <span />
      </div>
      <div ref={scrollRef} className="document-scroll" tabIndex={0} aria-label={t('library.count', { count: shown.length })}>
        <ul className="document-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => (
            <DocumentRow key={rowKey(shown[item.index])} doc={shown[item.index]} top={item.start} language={i18n.language} />
          ))}
        </ul>
      </div>
    </section>
  )
}

function DocumentRow({ doc, top, language }: { doc: DocumentValue; top: number; language: string }) {
  const { t } = useTranslation()
  const name = doc.title || doc.name
  const status = { queued: t('library.statusQueued'), indexing: t('library.statusIndexing'), ready: t('library.statusReady'), failed: t('library.statusFailed') }[doc.status]
  return (
    <li className={`document-row status-${doc.status}`} style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }} data-testid="document-row" data-status={doc.status}>
      <span className="document-name" title={doc.path}>
        <span className="document-title">{name}</span>
        {doc.status === 'failed' && doc.error ? <span className="document-error">{doc.error}</span> : <span className="document-path">{doc.name}</span>}
      </span>
      <span className={`badge badge-${doc.status}`}>{status}</span>
      <span className="num">{formatBytes(doc.size, language)}</span>
      <span className="num">{doc.status === 'ready' ? doc.chunks : '–'}</span>
      <span className="num">{doc.pages ?? '–'}</span>
      {/* A file still queued has no id yet: there is nothing to remove until it is read. */}
      {doc.id ? (
        <button type="button" className="button button-small" aria-label={t('library.removeLabel', { name })} onClick={() => confirmRemoveDocument(doc.id)}>
          {t('library.remove')}
        </button>
      ) : (
        <span />
      )}
    </li>
  )
}

/** Queued files have no id yet; their path is unique among them. */
function rowKey(doc: DocumentValue): string {
  return doc.id || `path:${doc.path}`
}
