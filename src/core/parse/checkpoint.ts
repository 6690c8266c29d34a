/** Cancellation points for long parses. */
import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Lets pending events run, then throws the signal's reason if the parse was aborted. The yield
 * matters: a page loop made only of promise continuations never lets the event loop deliver the
 * abort (a timer, or a message from the parent thread), so checking the flag alone would not see it.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return
  await nextTurn()
  signal.throwIfAborted()
}
