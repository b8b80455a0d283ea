import type { EventEnvelope, EventType } from '../protocol/index.js'
import { GLOBAL_STREAM, sessionStream } from '../protocol/index.js'
import type { EventBus, Logger, NewEvent } from '../ports/types.js'

/**
 * Appends a session's events without making the turn wait on each append. The event bus sequences
 * appends in the order they are invoked (the in-memory bus synchronously, Redis by the order commands
 * go out on one connection), so appends are issued at once and only `flush()` waits for them.
 */
export interface EventWriter {
  emit<T extends EventType>(type: T, data: NewEvent<T>['data'], options?: { global?: boolean }): void
  /** Wait for every append issued so far; resolves with the last envelope of the session stream. */
  flush(): Promise<EventEnvelope | undefined>
}

export function createEventWriter(deps: { eventBus: EventBus; logger: Logger; sessionId: string }): EventWriter {
  const stream = sessionStream(deps.sessionId)
  let pending: Array<Promise<unknown>> = []
  let last: EventEnvelope | undefined
  const failed = (type: string) => (error: unknown) => {
    deps.logger.error('event append failed', { sessionId: deps.sessionId, type, error: String(error) })
  }
  return {
    emit(type, data, options = {}) {
      const event = { type, sessionId: deps.sessionId, data } as NewEvent
      pending.push(
        deps.eventBus.append(stream, event).then((envelope) => {
          if (!last || envelope.seq > last.seq) last = envelope
        }, failed(type)),
      )
      if (options.global) pending.push(deps.eventBus.append(GLOBAL_STREAM, event).catch(failed(type)))
      if (pending.length > 256) {
        const settled = pending
        pending = [Promise.all(settled)]
      }
    },
    async flush() {
      while (pending.length > 0) {
        const waiting = pending
        pending = []
        await Promise.all(waiting)
      }
      return last
    },
  }
}
