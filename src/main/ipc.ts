/**
 * The desktop host's adapter from Electron IPC to the app service. Each window's webContents is one
 * AppSession of the service's broker (a "consumer" of the original Channels design): the service
 * sends it room events, and every request it makes is checked for its sender, then handed to the
 * service, which parses the payload with the contract's schema. Electron objects come in as small
 * interfaces, so the adapter is tested with the real service and recording webContents fakes.
 */
import type { AppService, AppSession } from '../core/app/service'
import { IPC_CHANNELS, IpcInvokeSchema, type ErrorValue, type EventName, type EventPayload, type Result } from '../shared/contract'
import { isAllowedSender, type IpcSender } from './hardening'

/** The webContents methods a window's session uses. */
export interface WindowContents {
  readonly id: number
  isDestroyed(): boolean
  send(channel: string, message: unknown): void
}

interface Attached {
  session: AppSession
  disconnect: () => void
}

/** The windows' sessions, by webContents id. */
export interface WindowSessions {
  /** Connects a new window to the service. */
  open(contents: WindowContents): AppSession
  /**
   * Gives a window a fresh session after its page reloaded or its renderer was replaced: the old
   * page's room subscriptions die with it, and the new page subscribes again.
   */
  renew(contents: WindowContents): AppSession
  /** Disconnects a closed window. */
  close(contentsId: number): void
  get(contentsId: number): AppSession | undefined
  /** Disconnects every window (on quit). */
  closeAll(): void
}

/** Creates the registry of windows' sessions over the service's broker. */
export function createWindowSessions(service: Pick<AppService, 'connect'>): WindowSessions {
  const attached = new Map<number, Attached>()
  let generation = 0

  const open = (contents: WindowContents): AppSession => {
    attached.get(contents.id)?.disconnect()
    generation += 1
    const session: AppSession = {
      id: `window-${contents.id}-${generation}`,
      send<N extends EventName>(name: N, payload: EventPayload<N>): void {
        // A window closing while an answer streams is normal: its events have nowhere to go.
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, { name, payload })
      }
    }
    attached.set(contents.id, { session, disconnect: service.connect(session) })
    return session
  }

  const close = (contentsId: number): void => {
    attached.get(contentsId)?.disconnect()
    attached.delete(contentsId)
  }

  return {
    open,
    renew: open,
    close,
    get: (contentsId) => attached.get(contentsId)?.session,
    closeAll: () => {
      for (const id of [...attached.keys()]) close(id)
    }
  }
}

const forbidden: ErrorValue = {
  code: 'forbidden',
  message: 'This request did not come from a DocuMind window, so it was refused.'
}

/**
 * The listener for `ipcMain.handle(IPC_CHANNELS.invoke, …)`. A sender that is not the top frame of
 * one of our windows showing the app gets 'forbidden'; a malformed envelope gets 'invalid-request';
 * the service parses the input and answers with a result value. Nothing here throws across IPC.
 */
export function createInvokeListener(
  sessions: Pick<WindowSessions, 'get'>,
  service: Pick<AppService, 'handle'>,
  log: (message: string) => void = () => {}
): (event: IpcSender, message: unknown) => Promise<Result<unknown>> {
  return async (event, message) => {
    const session = sessions.get(event.sender.id)
    if (!session || !isAllowedSender(event, (id) => sessions.get(id) !== undefined)) {
      log(`refused IPC from webContents ${event.sender.id} (${event.senderFrame?.url.slice(0, 200) ?? 'no frame'})`)
      return { ok: false, error: forbidden }
    }
    const envelope = IpcInvokeSchema.safeParse(message)
    if (!envelope.success) {
      return { ok: false, error: { code: 'invalid-request', message: 'A request must be { name, input }.' } }
    }
    try {
      return await service.handle(session, envelope.data.name, envelope.data.input)
    } catch (error) {
      // The service returns errors as values; a throw is a bug, reported without its stack.
      log(`request ${envelope.data.name} threw: ${error instanceof Error ? error.stack : String(error)}`)
      return { ok: false, error: { code: 'internal', message: 'DocuMind hit an internal error. Try again; if it persists, restart the app.' } }
    }
  }
}
