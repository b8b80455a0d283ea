import type { EventEnvelope, EventType } from '../protocol/index.js'
import { GLOBAL_STREAM, sessionStream } from '../protocol/index.js'
import type { EventBus, Logger, NewEvent } from '../ports/types.js'

/**
 * Appends a session's events in emission order without making the turn wait on each append:
 * appends are chained, and `flush()` waits for all of them.
 */
export interface EventWriter {
  emit<T extends EventType>(type: T, data: NewEvent<T>['data'], options?: { global?: boolean }): void
  flush(): Promise<EventEnvelope | undefined>
}

export function createEventWriter(deps: { eventBus: EventBus; logger: Logger; sessionId: string }): EventWriter {
  const stream = sessionStream(deps.sessionId)
  let tail: Promise<EventEnvelope | undefined> = Promise.resolve(undefined)
  let last: EventEnvelope | undefined
  return {
    emit(type, data, options = {}) {
      const event = { type, sessionId: deps.sessionId, data } as NewEvent
      tail = tail.then(async () => {
        try {
          last = await deps.eventBus.append(stream, event)
          if (options.global) await deps.eventBus.append(GLOBAL_STREAM, event)
        } catch (error) {
          deps.logger.error('event append failed', { sessionId: deps.sessionId, type, error: String(error) })
        }
        return last
      })
    },
    flush: () => tail,
  }
}
