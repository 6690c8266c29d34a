/**
 * The desktop DocumindClient: `window.documind`, built over two IPC channels of the contract. It is
 * the whole bridge between the page and the main process, so it is narrow on purpose: requests and
 * events by contract name only, plain data and plain functions only, every answer and event parsed
 * with its schema before the page sees it. The IPC object is passed in, so tests build the client
 * with a recording fake and no Electron.
 */
import { z } from 'zod'
import {
  ErrorValueSchema,
  events,
  IPC_CHANNELS,
  IpcEventSchema,
  requests,
  type DocumindClient,
  type DroppedFile,
  type ErrorValue,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type Result
} from '../shared/contract'

/** The two ipcRenderer methods the client uses; never handed to the page. */
export interface PreloadIpc {
  invoke(channel: string, message: unknown): Promise<unknown>
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown
}

/** Gives a dropped file's path on disk, or '' when it has none (Electron's webUtils.getPathForFile). */
export type PathForFile = (file: DroppedFile['file']) => string

const ResultEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorValueSchema })
])

function failure(code: ErrorValue['code'], message: string): { ok: false; error: ErrorValue } {
  return { ok: false, error: { code, message } }
}

/** Whether a value names a request of the contract (own keys only: `__proto__` is no request). */
export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name)
}

/** Whether a value names an event of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name)
}

/**
 * Builds the client the preload exposes. `log` reports what the page cannot act on (a malformed
 * event, a listener that threw) to the developer console.
 */
export function createDocumindClient(ipc: PreloadIpc, pathForFile: PathForFile, log: (message: string) => void = console.error): DocumindClient {
  type Listener = (payload: unknown) => void
  const listeners = new Map<EventName, Set<Listener>>()

  ipc.on(IPC_CHANNELS.event, (_event, message) => {
    const envelope = IpcEventSchema.safeParse(message)
    if (!envelope.success || !isEventName(envelope.data.name)) {
      log('DocuMind: ignored a malformed event from the main process.')
      return
    }
    const name = envelope.data.name
    const subscribed = listeners.get(name)
    if (!subscribed?.size) return
    const payload = events[name].safeParse(envelope.data.payload)
    if (!payload.success) {
      log(`DocuMind: ignored a "${name}" event that does not match the contract: ${payload.error.issues[0]?.message ?? 'malformed'}.`)
      return
    }
    // A copy, so a listener that unsubscribes while being called does not skip its neighbour.
    for (const listener of [...subscribed]) {
      try {
        listener(payload.data)
      } catch (error) {
        log(`DocuMind: a "${name}" listener threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  })

  return {
    async invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>> {
      // The page is not trusted to keep to the types: check the name here, before anything is sent.
      if (!isRequestName(name)) return failure('invalid-request', `Unknown request "${String(name).slice(0, 100)}".`)
      let answer: unknown
      try {
        answer = await ipc.invoke(IPC_CHANNELS.invoke, { name, input })
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        return failure('internal', `The request "${name}" could not reach DocuMind's main process: ${reason}`)
      }
      const envelope = ResultEnvelopeSchema.safeParse(answer)
      if (!envelope.success) return failure('internal', `DocuMind's main process gave a malformed answer to "${name}".`)
      if (!envelope.data.ok) return envelope.data
      const output = requests[name].output.safeParse(envelope.data.value)
      if (!output.success) return failure('internal', `DocuMind's main process answered "${name}" with data outside the contract.`)
      return { ok: true, value: output.data as RequestOutput<N> }
    },

    on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
      if (!isEventName(name)) throw new TypeError(`Unknown event "${String(name).slice(0, 100)}".`)
      if (typeof listener !== 'function') throw new TypeError('A listener must be a function.')
      const entry = listener as Listener
      let subscribed = listeners.get(name)
      if (!subscribed) {
        subscribed = new Set()
        listeners.set(name, subscribed)
      }
      subscribed.add(entry)
      return () => {
        listeners.get(name)?.delete(entry)
      }
    },

    async pathsForDropped(files: ReadonlyArray<DroppedFile>): Promise<Result<{ paths: string[] }>> {
      if (!Array.isArray(files) || files.length === 0) return failure('invalid-request', 'Nothing was dropped.')
      const paths = new Set<string>()
      for (const dropped of files) {
        let path = ''
        try {
          path = dropped && typeof dropped === 'object' ? pathForFile(dropped.file) : ''
        } catch {
          // Not a File (or not one from this page): it has no path, like text dragged from a browser.
        }
        if (path) paths.add(path)
      }
      if (paths.size === 0) {
        return failure('unsupported', 'What was dropped is not a file on this computer (for example, something dragged out of a web page). Save it to a folder first, then drop it or use Import.')
      }
      return { ok: true, value: { paths: [...paths] } }
    }
  }
}
