import type { StateCreator } from 'zustand'
import type { DocumentValue, ImportStateValue } from '../../../shared/contract'
import type { DropFailure } from '../client'
import type { AppState } from './index'

/** The document list and the import in progress. */
export interface LibrarySlice {
  documents: DocumentValue[]
  documentsLoaded: boolean
  documentFilter: string
  importState: ImportStateValue | null
  /** Files being handed to the host before the import starts (uploads, in a browser). */
  handoff: { done: number; total: number } | null
  /** Dropped files the host could not take. */
  handoffFailures: DropFailure[]
  /** Why the last library action failed, for a person to read. */
  libraryError: string | null
}

export const createLibrarySlice: StateCreator<AppState, [], [], LibrarySlice> = () => ({
  documents: [],
  documentsLoaded: false,
  documentFilter: '',
  importState: null,
  handoff: null,
  handoffFailures: [],
  libraryError: null
})
