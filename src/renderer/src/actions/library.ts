/**
 * The library: the document list, imports (drops, pickers) and their progress, removal. An import
 * of thousands of files sends a stream of state events; they are folded into the store a few
 * times a second at most, so the window stays responsive.
 */
import type { DroppedFile, ImportStateValue } from '../../../shared/contract'
import { client } from '../client'
import { i18n } from '../i18n'
import { useAppStore } from '../store'
import { askToConfirm, showNotice } from './ui'

export async function loadDocuments(): Promise<void> {
  const result = await client().invoke('library.list', {})
  if (!result.ok) {
    useAppStore.setState({ libraryError: result.error.message })
    return
  }
  useAppStore.setState({ documents: result.value, documentsLoaded: true })
}

let listTimer: ReturnType<typeof setTimeout> | null = null

/**
 * `library.changed` comes about once a second during an import. Reloading a list of thousands of
 * documents costs the window a noticeable moment each time, so a big list is reloaded less often
 * while the import runs; its end reloads it at once (see applyImportState).
 */
export function libraryChanged(): void {
  const { documents, importState } = useAppStore.getState()
  const delay = importState?.running && documents.length > 1000 ? 5000 : 1000
  listTimer ??= setTimeout(() => {
    listTimer = null
    void loadDocuments()
  }, delay)
}

export async function loadImportState(): Promise<void> {
  const result = await client().invoke('library.importState', {})
  if (result.ok) applyImportState(result.value)
}

const IMPORT_STATE_MS = 150
let latestImportState: ImportStateValue | null = null
let importStateTimer: ReturnType<typeof setTimeout> | null = null

/** Takes an `import.state` event; renders the latest one a few times a second. */
export function importStateChanged(state: ImportStateValue): void {
  latestImportState = state
  // The end of an import is shown at once: the user is waiting for it.
  if (!state.running) {
    applyImportState(state)
    return
  }
  importStateTimer ??= setTimeout(() => {
    importStateTimer = null
    if (latestImportState) applyImportState(latestImportState)
  }, IMPORT_STATE_MS)
}

function applyImportState(state: ImportStateValue): void {
  if (importStateTimer) clearTimeout(importStateTimer)
  importStateTimer = null
  latestImportState = null
  const wasRunning = useAppStore.getState().importState?.running ?? false
  useAppStore.setState({ importState: state })
  if (wasRunning && !state.running) void loadDocuments()
}

/** Imports files dropped on the window (or chosen with a browser file input). */
export async function importDropped(files: DroppedFile[]): Promise<void> {
  if (files.length === 0) return
  useAppStore.setState({ handoff: { done: 0, total: files.length }, handoffFailures: [], libraryError: null })
  let lastShown = 0
  const result = await client().pathsForDropped(files, (done, total) => {
    // Thousands of uploads: redraw the bar every few files, and at the end.
    if (done === total || done - lastShown >= Math.max(1, Math.floor(total / 100))) {
      lastShown = done
      useAppStore.setState({ handoff: { done, total } })
    }
  })
  useAppStore.setState({ handoff: null })
  if (!result.ok) {
    useAppStore.setState({ libraryError: result.error.message })
    return
  }
  useAppStore.setState({ handoffFailures: result.value.failures })
  if (result.value.paths.length > 0) await importPaths(result.value.paths)
}

/**
 * Paths go to the host in batches: one request for 50 000 paths would be megabytes, more than a
 * WebSocket frame may carry. The host queues batches that arrive during a run behind it.
 */
const PATHS_PER_REQUEST = 1000

export async function importPaths(paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += PATHS_PER_REQUEST) {
    const result = await client().invoke('library.import', { paths: paths.slice(i, i + PATHS_PER_REQUEST) })
    if (!result.ok) {
      useAppStore.setState({ libraryError: result.error.message })
      return
    }
  }
  await loadImportState()
}

/**
 * Shows the host's own file picker; resolves false when the host has none (a browser), so the
 * caller opens a file input instead.
 */
export async function pickNatively(folders: boolean): Promise<boolean> {
  if (!useAppStore.getState().canPickNatively) return false
  const result = await client().invoke('library.pick', { folders })
  if (result.ok) return true
  if (result.error.code === 'unsupported') {
    useAppStore.setState({ canPickNatively: false })
    return false
  }
  useAppStore.setState({ libraryError: result.error.message })
  return true
}

export async function cancelImport(): Promise<void> {
  const result = await client().invoke('library.cancelImport', {})
  if (!result.ok) showNotice(result.error.message)
}

export function confirmRemoveDocument(docId: string): void {
  const doc = useAppStore.getState().documents.find((d) => d.id === docId)
  if (!doc) return
  const name = doc.title || doc.name
  askToConfirm(i18n.t('library.removeConfirm', { name }), i18n.t('library.remove'), () => void removeDocuments([docId]))
}

async function removeDocuments(docIds: string[]): Promise<void> {
  const result = await client().invoke('library.remove', { docIds })
  if (!result.ok) {
    showNotice(result.error.message)
    return
  }
  const removed = new Set(docIds)
  useAppStore.setState((s) => ({ documents: s.documents.filter((d) => !removed.has(d.id)) }))
}

/**
 * Rebuilds the whole index from the documents' files: the way back from a damaged index, and what
 * a user does after moving to another embedding model. Progress shows as an import's does.
 */
export function confirmRebuildIndex(): void {
  const count = useAppStore.getState().documents.length
  askToConfirm(i18n.t('library.rebuildConfirm', { count }), i18n.t('library.rebuild'), () => void rebuildIndex())
}

async function rebuildIndex(): Promise<void> {
  // The last import's report goes: what shows next is the rebuild's own progress.
  useAppStore.setState({ libraryError: null, importState: null, handoffFailures: [] })
  const result = await client().invoke('library.reindex', {})
  if (!result.ok) useAppStore.setState({ libraryError: result.error.message })
}

export function setDocumentFilter(filter: string): void {
  useAppStore.setState({ documentFilter: filter })
}

export function dismissImportReport(): void {
  useAppStore.setState({ handoffFailures: [], libraryError: null, importState: null })
}
