import { useTranslation } from 'react-i18next'
import type { CitationValue } from '../../../../shared/contract'
import { openCitation } from '../../actions/ui'

/** A `[n]` marker: a button that opens the cited passage in the side panel. */
export function CitationChip({ citation }: { citation: CitationValue }) {
  const { t } = useTranslation()
  const where = citation.page !== null ? `${citation.document}, ${t('citation.page', { page: citation.page })}` : citation.document
  return (
    <button type="button" className="cite-chip" aria-label={t('chat.citation', { n: citation.n, document: where })} title={where} onClick={() => void openCitation(citation)}>
      {citation.n}
    </button>
  )
}
