/**
 * Wraps the `window.documind` the Electron preload exposes. The preload already parses what main
 * sends; the renderer parses again because it is the one that relies on the shapes, and the cost
 * is small next to rendering.
 */
import type { DocumindClient } from '../../../shared/contract'
import type { RendererClient } from './types'
import { parseEvent, parseResult } from './validate'

export function wrapDesktopClient(bridge: DocumindClient): RendererClient {
  return {
    invoke: async (name, input) => parseResult(name, await bridge.invoke(name, input)),
    on: (name, listener) =>
      bridge.on(name, (payload) => {
        const parsed = parseEvent(name, payload)
        if (parsed !== null) listener(parsed)
      }),
    // IPC to the main process never drops, so the connection is open from the start.
    onConnection: (listener) => {
      listener('open')
      return () => undefined
    },
    pathsForDropped: async (files, onProgress) => {
      onProgress?.(0, files.length)
      const result = await bridge.pathsForDropped(files)
      onProgress?.(files.length, files.length)
      return result.ok ? { ok: true, value: { paths: result.value.paths, failures: [] } } : result
    }
  }
}
