import type { DocumindClient, DroppedFile, Result } from '../../../shared/contract'

/** Where the link to the host stands; only the WebSocket client ever leaves 'open'. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

/** A dropped file the host could not take, with a reason a person can act on. */
export interface DropFailure {
  name: string
  reason: string
}

/** Called as dropped files are handed to the host (uploads in a browser can take a while). */
export type DropProgress = (done: number, total: number) => void

/**
 * The client the renderer uses: the contract's DocumindClient, plus the connection state (so the UI
 * can re-subscribe and reload after a reconnect) and per-file results and progress for drops.
 */
export interface RendererClient extends DocumindClient {
  /** Listens to connection changes; the listener is called at once with the current state. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  pathsForDropped(files: ReadonlyArray<DroppedFile>, onProgress?: DropProgress): Promise<Result<{ paths: string[]; failures: DropFailure[] }>>
}
