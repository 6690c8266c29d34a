/**
 * Nothing from a host is trusted as-is: every result and event is parsed with its contract schema
 * before the UI sees it, so a host bug shows up as an error value instead of a broken screen.
 */
import {
  ErrorValueSchema,
  events,
  requests,
  type ErrorValue,
  type EventName,
  type EventPayload,
  type RequestName,
  type RequestOutput,
  type Result
} from '../../../shared/contract'

/** Parses a request's result; a malformed one becomes an `internal` error value. */
export function parseResult<N extends RequestName>(name: N, raw: unknown): Result<RequestOutput<N>> {
  if (typeof raw !== 'object' || raw === null || !('ok' in raw)) return malformed(name)
  if (raw.ok === false) {
    const error = ErrorValueSchema.safeParse((raw as { error?: unknown }).error)
    return { ok: false, error: error.success ? error.data : { code: 'internal', message: `The app answered ${name} with an error it could not describe.` } }
  }
  const value = requests[name].output.safeParse((raw as { value?: unknown }).value)
  if (!value.success) return malformed(name)
  return { ok: true, value: value.data as RequestOutput<N> }
}

/** Parses an event's payload; returns null (and the event is dropped) when it does not fit. */
export function parseEvent<N extends EventName>(name: N, payload: unknown): EventPayload<N> | null {
  const parsed = events[name].safeParse(payload)
  if (parsed.success) return parsed.data as EventPayload<N>
  console.warn(`DocuMind: dropped a malformed ${name} event`, parsed.error.issues[0])
  return null
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name)
}

function malformed(name: string): { ok: false; error: ErrorValue } {
  return { ok: false, error: { code: 'internal', message: `The app sent a malformed answer to ${name}. Reload the window; if it persists, report it.` } }
}
